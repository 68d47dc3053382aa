/*
 * lspci as busybox has it (Debian's busybox-static is built without
 * this applet): one line per device under /sys/bus/pci/devices, from the
 * device's uevent file, in busybox's two formats:
 *
 *   00:02.0 Class 0100: 1af4:1001 virtio-pci           (-k adds the driver)
 *   00:02.0 "Class 0100" "1af4" "1001" "1af4" "0002"   (-m)
 *
 * Options -n and -v are accepted and ignored, as busybox does.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEVICES "/sys/bus/pci/devices"

struct pci_line {
	char slot[32];          /* "00:02.0": PCI_SLOT_NAME without the domain */
	char driver[64];
	unsigned class;         /* PCI_CLASS >> 8: class and subclass */
	unsigned vid, did, svid, sdid;
};

static void read_uevent(const char *dev, struct pci_line *p)
{
	char path[512], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/uevent", DEVICES, dev);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '='), *colon;

		if (!eq)
			continue;
		*eq++ = 0;
		eq[strcspn(eq, "\n")] = 0;
		if (!strcmp(line, "DRIVER")) {
			snprintf(p->driver, sizeof(p->driver), "%s", eq);
		} else if (!strcmp(line, "PCI_CLASS")) {
			p->class = (unsigned)strtoul(eq, NULL, 16) >> 8;
		} else if (!strcmp(line, "PCI_ID")) {
			p->vid = (unsigned)strtoul(eq, &colon, 16);
			if (*colon == ':')
				p->did = (unsigned)strtoul(colon + 1, NULL, 16);
		} else if (!strcmp(line, "PCI_SUBSYS_ID")) {
			p->svid = (unsigned)strtoul(eq, &colon, 16);
			if (*colon == ':')
				p->sdid = (unsigned)strtoul(colon + 1, NULL, 16);
		} else if (!strcmp(line, "PCI_SLOT_NAME")) {
			/* Busybox drops the domain: everything after the first ':'. */
			colon = strchr(eq, ':');
			snprintf(p->slot, sizeof(p->slot), "%s", colon ? colon + 1 : eq);
		}
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	int machine = 0, kernel = 0, opt;
	struct dirent *e;
	DIR *d;

	while ((opt = getopt(argc, argv, "mknv")) != -1) {
		if (opt == 'm')
			machine = 1;
		else if (opt == 'k')
			kernel = 1;
		else if (opt == '?')
			return 1;
	}
	d = opendir(DEVICES);
	if (!d) {
		perror(DEVICES);
		return 1;
	}
	while ((e = readdir(d))) {
		struct pci_line p = { .slot = "" };

		if (e->d_name[0] == '.')
			continue;
		read_uevent(e->d_name, &p);
		if (machine)
			printf("%s \"Class %04x\" \"%04x\" \"%04x\" \"%04x\" \"%04x\"", p.slot,
			       p.class, p.vid, p.did, p.svid, p.sdid);
		else
			printf("%s Class %04x: %04x:%04x", p.slot, p.class, p.vid, p.did);
		if (kernel && p.driver[0])
			printf(machine ? " \"%s\"" : " %s", p.driver);
		putchar('\n');
	}
	closedir(d);
	return 0;
}
