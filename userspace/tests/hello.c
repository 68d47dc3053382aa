/* The smallest program: argv, envp and auxv as the kernel laid them out. */
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

int main(int argc, char **argv, char **envp)
{
	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	int nenv = 0;

	if (argc > 1 && !strcmp(argv[1], "-q"))
		return 0;               /* quiet: the fork/exec loops */
	while (envp[nenv])
		nenv++;
	printf("hello from %s: argc=%d", argv[0], argc);
	for (int i = 1; i < argc; i++)
		printf(" argv[%d]=%s", i, argv[i]);
	printf(" envc=%d pagesz=%lu execfn=%s random=%s uid=%lu pid=%d\n", nenv,
	       getauxval(AT_PAGESZ), execfn ? execfn : "?",
	       rnd && (rnd[0] | rnd[1] | rnd[2] | rnd[3]) ? "yes" : "no",
	       getauxval(AT_UID), (int)getpid());
	return argc > 1 && !strcmp(argv[1], "exit7") ? 7 : 0;
}
