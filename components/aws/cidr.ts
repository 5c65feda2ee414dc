/**
 * Subnet layout of an AWS region's VPC, as pure functions so the layout is tested without
 * any cloud. Private subnets hold the nodes and, with the VPC CNI, every pod IP, so they get
 * the large blocks; public subnets hold only NAT gateways and load balancers.
 */
import { formatCidr, hasHostBits, networkOf, parseCidr, subdivide } from "../net/ipv4";

/** Smallest subnet AWS allows (/28: 16 addresses, 11 usable). */
export const MIN_SUBNET_PREFIX = 28;

/** The subnets of one VPC, index i of each list in availability zone i. */
export interface SubnetLayout {
    privateCidrs: string[];
    publicCidrs: string[];
}

/** Bits needed to number `n` things. */
function bitsFor(n: number): number {
    return Math.max(0, Math.ceil(Math.log2(n)));
}

/**
 * Splits the VPC into `azCount` equal private subnets and keeps the next free block of the
 * same size for the public subnets, cut into `azCount` equal parts. A /16 over three zones
 * gives three /18 private subnets (16k pod and node IPs each) and three /20 public ones.
 * Throws when the VPC is too small for subnets of at least /28.
 */
export function subnetLayout(vpcCidr: string, azCount: number): SubnetLayout {
    const vpc = parseCidr(vpcCidr);
    if (!vpc) throw new Error(`'${vpcCidr}' is not an IPv4 CIDR block`);
    if (!Number.isInteger(azCount) || azCount < 1) throw new Error(`azCount must be a positive integer, got ${azCount}`);
    // One more block than zones: the spare one is carved into the public subnets.
    const privatePrefix = vpc.prefix + bitsFor(azCount + 1);
    const publicPrefix = privatePrefix + bitsFor(azCount);
    if (publicPrefix > MIN_SUBNET_PREFIX) {
        throw new Error(
            `${vpcCidr} is too small for ${azCount} zones: public subnets would be /${publicPrefix}, AWS's smallest is /${MIN_SUBNET_PREFIX}`,
        );
    }
    const blocks = 2 ** (privatePrefix - vpc.prefix);
    const publicParent = subdivide(vpc, privatePrefix, blocks - 1);
    const zones = Array.from({ length: azCount }, (_, i) => i);
    return {
        privateCidrs: zones.map((i) => formatCidr(subdivide(vpc, privatePrefix, i))),
        publicCidrs: zones.map((i) => formatCidr(subdivide(publicParent, publicPrefix, i))),
    };
}

/** Problems with a VPC CIDR for this layout, as sentences (empty when it is usable). */
export function vpcCidrProblems(vpcCidr: string, azCount: number): string[] {
    const vpc = parseCidr(vpcCidr);
    if (!vpc) return [`'${vpcCidr}' is not an IPv4 CIDR block`];
    const problems: string[] = [];
    if (vpc.prefix < 16 || vpc.prefix > 28) problems.push(`is /${vpc.prefix}; an AWS VPC must be between /16 and /28`);
    if (hasHostBits(vpc)) problems.push(`has host bits set; use the network address ${formatCidr(networkOf(vpc, vpc.prefix))}`);
    if (problems.length === 0) {
        try {
            subnetLayout(vpcCidr, azCount);
        } catch (e) {
            problems.push((e as Error).message);
        }
    }
    return problems;
}
