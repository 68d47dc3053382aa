/* The program bench/forkexec runs: start, exit 0. */
int main(void)
{
	return 0;
}
