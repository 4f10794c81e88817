/*
 * true: exit 0 at once. The program the exec benchmarks (cowbench spawn)
 * start, so they measure process creation rather than the program's work.
 */
int main(void)
{
	return 0;
}
