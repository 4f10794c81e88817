/*
 * Wall-clock time from the CMOS RTC (include/lib/realtime.h). The RTC is
 * read once; afterwards realtime is the boot epoch plus clock_ns(), which
 * is monotonic, so time() never runs backwards between two reads.
 */
#include <arch/io.h>
#include <arch/timer.h>
#include <lib/realtime.h>
#include <lib/spinlock.h>

#define CMOS_INDEX   0x70
#define CMOS_DATA    0x71
#define RTC_SEC	     0x00
#define RTC_MIN	     0x02
#define RTC_HOUR     0x04
#define RTC_DAY	     0x07
#define RTC_MONTH    0x08
#define RTC_YEAR     0x09
#define RTC_STATUS_A 0x0a
#define RTC_STATUS_B 0x0b
#define RTC_UIP	     0x80 /* status A: an update is in progress */
#define RTC_BINARY   0x04 /* status B: fields are binary, not BCD */
#define RTC_24H	     0x02 /* status B: 24-hour clock */
#define RTC_PM	     0x80 /* hour field: PM in 12-hour mode */

#define NS_PER_SEC 1000000000ll
/* Used when the RTC reads as garbage: 2024-01-01 00:00:00 UTC. */
#define FALLBACK_EPOCH_SEC 1704067200ll

/* Wall-clock ns at clock_ns() == 0. Written at init and by realtime_set_ns. */
static s64 boot_epoch_ns;
static bool realtime_ready;
static struct spinlock rtc_lock = SPINLOCK_INIT("rtc", LOCK_RANK_NONE);

struct rtc_time {
	u8 sec, min, hour, day, month, year;
};

/* One CMOS register. The NMI-disable bit (0x80) is left clear. */
static u8 cmos_read(u8 reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

/* Snapshot the time registers once no update is in progress. */
static void rtc_snapshot(struct rtc_time *t)
{
	while (cmos_read(RTC_STATUS_A) & RTC_UIP)
		;
	t->sec = cmos_read(RTC_SEC);
	t->min = cmos_read(RTC_MIN);
	t->hour = cmos_read(RTC_HOUR);
	t->day = cmos_read(RTC_DAY);
	t->month = cmos_read(RTC_MONTH);
	t->year = cmos_read(RTC_YEAR);
}

static u8 bcd_to_bin(u8 v)
{
	return (v >> 4) * 10 + (v & 0x0f);
}

/* Normalise a raw snapshot to binary 24-hour fields. */
static void rtc_decode(struct rtc_time *t, u8 status_b)
{
	bool is_pm = t->hour & RTC_PM;
	t->hour &= ~RTC_PM;
	if (!(status_b & RTC_BINARY)) {
		t->sec = bcd_to_bin(t->sec);
		t->min = bcd_to_bin(t->min);
		t->hour = bcd_to_bin(t->hour);
		t->day = bcd_to_bin(t->day);
		t->month = bcd_to_bin(t->month);
		t->year = bcd_to_bin(t->year);
	}
	if (!(status_b & RTC_24H))
		t->hour = (t->hour % 12) + (is_pm ? 12 : 0);
}

/* Seconds since the epoch per the RTC, read twice until two reads agree. */
static s64 rtc_read_epoch_sec(void)
{
	struct rtc_time a, b;
	rtc_snapshot(&b);
	do {
		a = b;
		rtc_snapshot(&b);
	} while (a.sec != b.sec || a.min != b.min || a.hour != b.hour || a.day != b.day ||
		 a.month != b.month || a.year != b.year);
	rtc_decode(&b, cmos_read(RTC_STATUS_B));
	if (b.month < 1 || b.month > 12 || b.day < 1 || b.day > 31 || b.hour > 23 || b.min > 59 ||
	    b.sec > 59)
		return FALLBACK_EPOCH_SEC;
	return realtime_from_civil(2000 + b.year, b.month, b.day, b.hour, b.min, b.sec);
}

/*
 * Days from 1970-01-01 to a proleptic Gregorian date: count whole years
 * in 400-year eras starting each year on March 1, so February (and its
 * leap day) is the last month of the shifted year.
 */
static s64 days_from_civil(s64 y, int m, int d)
{
	y -= m <= 2;
	s64 era = (y >= 0 ? y : y - 399) / 400;
	s64 yoe = y - era * 400;
	s64 mp = (m + 9) % 12; /* March = 0 */
	s64 doy = (153 * mp + 2) / 5 + d - 1;
	s64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

s64 realtime_from_civil(int year, int month, int day, int hour, int min, int sec)
{
	return days_from_civil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec;
}

void realtime_init(void)
{
	spin_lock(&rtc_lock);
	if (!realtime_ready) {
		s64 now_ns = rtc_read_epoch_sec() * NS_PER_SEC;
		WRITE_ONCE(boot_epoch_ns, now_ns - (s64)clock_ns());
		realtime_ready = true;
	}
	spin_unlock(&rtc_lock);
}

s64 realtime_ns(void)
{
	if (!READ_ONCE(realtime_ready))
		realtime_init();
	return READ_ONCE(boot_epoch_ns) + (s64)clock_ns();
}

void realtime_set_ns(s64 ns)
{
	if (!READ_ONCE(realtime_ready))
		realtime_init();
	WRITE_ONCE(boot_epoch_ns, ns - (s64)clock_ns());
}
