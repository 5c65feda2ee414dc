import { formatCidr, hasHostBits, networkOf, parseCidr, subdivide } from "../components/net/ipv4";

describe("IPv4 CIDR blocks", () => {
    test("parse and format round-trip; anything else is not a block", () => {
        expect(parseCidr("10.0.0.0/16")).toEqual({ base: 167772160, prefix: 16 });
        expect(parseCidr(" 255.255.255.255/32 ")).toEqual({ base: 4294967295, prefix: 32 });
        expect(formatCidr({ base: 3232235776, prefix: 24 })).toBe("192.168.1.0/24");
        for (const bad of ["10.0.0.0", "10.0.0.256/16", "10.0.0.0/33", "::/0", "10.0.0/8"])
            expect([bad, parseCidr(bad)]).toEqual([bad, undefined]);
    });

    test("host bits, the containing network, and the i-th sub-block", () => {
        const block = (cidr: string) => {
            const parsed = parseCidr(cidr);
            if (!parsed) throw new Error(cidr);
            return parsed;
        };
        expect(hasHostBits(block("10.10.1.0/16"))).toBe(true);
        expect(hasHostBits(block("10.10.0.0/16"))).toBe(false);
        expect(hasHostBits(block("0.0.0.0/0"))).toBe(false);
        expect(formatCidr(networkOf(block("10.10.1.7/16"), 16))).toBe("10.10.0.0/16");
        expect(formatCidr(networkOf(block("10.44.0.0/14"), 20))).toBe("10.44.0.0/20");
        expect(formatCidr(subdivide(block("10.0.0.0/16"), 18, 3))).toBe("10.0.192.0/18");
        expect(() => subdivide(block("10.0.0.0/16"), 18, 4)).toThrow("a /16 has 4 /18 blocks, not 5");
        expect(() => subdivide(block("10.0.0.0/16"), 8, 0)).toThrow("cannot split a /16 into /8 blocks");
    });
});
