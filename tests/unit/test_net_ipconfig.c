// uses: net/ipconfig.c kernel/lib/parse.c
/* `ip=` as Linux reads it (Documentation/admin-guide/nfs/nfsroot.rst). */
#include "tests/unit/unit.h"
#include "net/ipconfig.h"
#include "kernel/lib/errno.h"

#define A(a, b, c, d) ((u32)(a) << 24 | (u32)(b) << 16 | (u32)(c) << 8 | (u32)(d))

UNIT_TEST(one_word_forms)
{
	struct ipconf c;

	EXPECT_EQ(ipconf_parse("dhcp", &c), 0);
	EXPECT_EQ(c.mode, IPCONF_DHCP);
	EXPECT_EQ(ipconf_parse("on", &c), 0);
	EXPECT_EQ(c.mode, IPCONF_DHCP);
	EXPECT_EQ(ipconf_parse("off", &c), 0);
	EXPECT_EQ(c.mode, IPCONF_OFF);
	EXPECT_EQ(ipconf_parse("none", &c), 0);
	EXPECT_EQ(c.mode, IPCONF_OFF);
	EXPECT_EQ(ipconf_parse("bootp", &c), -EOPNOTSUPP);
	EXPECT_EQ(ipconf_parse("rarp", &c), -EOPNOTSUPP);
	EXPECT_EQ(ipconf_parse("bogus", &c), -EINVAL);
}

UNIT_TEST(full_static)
{
	struct ipconf c;

	EXPECT_EQ(ipconf_parse("10.0.2.15:10.0.2.2:10.0.2.2:255.255.255.0:vm:eth0:off", &c), 0);
	EXPECT_EQ(c.mode, IPCONF_OFF);  /* autoconf off: nothing, as Linux */
	EXPECT_EQ(ipconf_parse("10.0.2.15:10.0.2.2:10.0.2.2:255.255.255.0:vm:eth0:none:8.8.8.8", &c), 0);
	EXPECT_EQ(ipconf_parse("10.0.2.15::10.0.2.2:255.255.255.0:vm:eth0", &c), 0);
	EXPECT_EQ(c.mode, IPCONF_STATIC);
	EXPECT_EQ(c.addr, A(10, 0, 2, 15));
	EXPECT_EQ(c.server, 0u);
	EXPECT_EQ(c.gw, A(10, 0, 2, 2));
	EXPECT_EQ(c.mask, A(255, 255, 255, 0));
	EXPECT_STREQ(c.hostname, "vm");
	EXPECT_STREQ(c.device, "eth0");
}

UNIT_TEST(class_default_mask_and_dhcp_without_address)
{
	struct ipconf c;

	EXPECT_EQ(ipconf_parse("10.1.2.3", &c), 0);    /* the client field alone */
	EXPECT_EQ(c.mode, IPCONF_STATIC);
	EXPECT_EQ(c.addr, A(10, 1, 2, 3));
	EXPECT_EQ(ipconf_parse("10.1.2.3:", &c), 0);
	EXPECT_EQ(c.mode, IPCONF_STATIC);
	EXPECT_EQ(c.mask, A(255, 0, 0, 0));
	EXPECT_EQ(ipconf_parse("172.16.0.9::::", &c), 0);
	EXPECT_EQ(c.mask, A(255, 255, 0, 0));
	EXPECT_EQ(ipconf_parse("192.168.7.9:::::", &c), 0);
	EXPECT_EQ(c.mask, A(255, 255, 255, 0));
	EXPECT_EQ(ipconf_parse(":::::eth1:dhcp", &c), 0);
	EXPECT_EQ(c.mode, IPCONF_DHCP);
	EXPECT_STREQ(c.device, "eth1");
	EXPECT_EQ(ipconf_parse("::::::", &c), 0);
	EXPECT_EQ(c.mode, IPCONF_DHCP);         /* no address, autoconf "any" */
}

UNIT_TEST(malformed_addresses)
{
	u32 a;
	struct ipconf c;

	EXPECT_EQ(ipconf_parse_addr("1.2.3.4", 7, &a), 0);
	EXPECT_EQ(a, A(1, 2, 3, 4));
	EXPECT_EQ(ipconf_parse_addr("1.2.3", 5, &a), -EINVAL);
	EXPECT_EQ(ipconf_parse_addr("1.2.3.256", 9, &a), -EINVAL);
	EXPECT_EQ(ipconf_parse_addr("1.2.3.4.5", 9, &a), -EINVAL);
	EXPECT_EQ(ipconf_parse_addr("1..3.4", 6, &a), -EINVAL);
	EXPECT_EQ(ipconf_parse("10.0.2.x:::", &c), -EINVAL);
	EXPECT_EQ(ipconf_parse("10.0.2.15:::::averyveryverylongdevicename", &c), -EINVAL);
}
