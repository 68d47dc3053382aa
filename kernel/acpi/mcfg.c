/*
 * MCFG: the PCIe ECAM windows, kept for the PCI layer. Read from the table
 * on each call (it stays mapped and checksummed); a missing or malformed
 * MCFG means no ECAM, and PCI falls back to port I/O configuration.
 */
#include "kernel/acpi/acpi.h"
#include "kernel/lib/errno.h"
#include "kernel/lib/string.h"

static const struct acpi_mcfg *mcfg_table(void)
{
	const struct acpi_header *h = acpi_find_table("MCFG", 0);

	if (!h || h->length < sizeof(struct acpi_mcfg))
		return NULL;
	return (const struct acpi_mcfg *)h;
}

int acpi_mcfg_count(void)
{
	const struct acpi_mcfg *m = mcfg_table();

	if (!m)
		return 0;
	return (int)((m->hdr.length - sizeof(*m)) / sizeof(struct acpi_mcfg_entry));
}

int acpi_mcfg_get(int i, struct acpi_ecam *out)
{
	const struct acpi_mcfg *m = mcfg_table();
	struct acpi_mcfg_entry e;

	if (!m || i < 0 || i >= acpi_mcfg_count())
		return -ENOENT;
	/* Entries follow a 44-byte header: not 8-byte aligned. */
	memcpy(&e, (const u8 *)(m + 1) + (size_t)i * sizeof(e), sizeof(e));
	if (e.bus_end < e.bus_start)
		return -ENOENT;
	out->base = e.base;
	out->segment = e.segment;
	out->bus_start = e.bus_start;
	out->bus_end = e.bus_end;
	return 0;
}
