import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { subnetLayout, vpcCidrProblems } from "./cidr";

/**
 * Zone IDs where EKS cannot place a control plane ("subnet requirements" in the EKS user
 * guide). Zone IDs, not names: names map to different physical zones in each account.
 */
export const EKS_UNSUPPORTED_ZONE_IDS = ["use1-az3", "usw1-az2", "cac1-az3"] as const;

export interface AwsNetworkArgs {
    /** AWS region, e.g. us-east-1; set on every resource (one provider serves all regions). */
    region: string;
    /** VPC CIDR, /16 to /28, network address (e.g. 10.10.0.0/16). */
    vpcCidr: string;
    /** Availability zones to spread over, at least 2. */
    azCount: number;
    /** One NAT gateway per zone (survives a zone outage) instead of one shared; default false. */
    natGatewayPerAz?: boolean;
    /** EKS cluster name the subnets are tagged for (load-balancer subnet discovery). */
    clusterName: string;
    /** The AWS provider every region shares; default the ambient one. */
    provider?: aws.Provider;
}

/**
 * A VPC for one EKS cluster: public and private subnets in each zone, an internet gateway, NAT
 * for the private subnets, and the tags the AWS Load Balancer Controller discovers subnets by.
 * Nodes and pods live in the private subnets; public ones hold only NAT gateways and ALBs.
 */
export class AwsNetwork extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly privateSubnetIds: pulumi.Output<string>[];
    public readonly publicSubnetIds: pulumi.Output<string>[];
    /** The zone each private subnet is in, as the subnet reports it; index i holds subnet i. */
    public readonly privateSubnetZones: pulumi.Output<string>[];
    /** Availability zone names, index i holding subnet i. */
    public readonly zones: pulumi.Output<string[]>;
    /** The S3 gateway endpoint on the private route tables. */
    public readonly s3Endpoint: aws.ec2.VpcEndpoint;
    public readonly natGateways: aws.ec2.NatGateway[];
    /** Routes and associations nodes need for egress; node groups wait for them. */
    public readonly egressReady: pulumi.Resource[];

    constructor(name: string, args: AwsNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:aws:Network", name, {}, opts);
        const problems = vpcCidrProblems(args.vpcCidr, args.azCount).map((p) => `vpcCidr ${p}`);
        if (!Number.isInteger(args.azCount) || args.azCount < 2)
            problems.push(`azCount must be at least 2 (EKS needs subnets in two zones), got ${args.azCount}`);
        if (!args.clusterName) problems.push("clusterName is required (subnets are tagged with it)");
        if (problems.length > 0) throw new Error(`AwsNetwork ${name}: ${problems.join("; ")}`);

        const { region, provider } = args;
        const childOpts = { parent: this, provider };
        const layout = subnetLayout(args.vpcCidr, args.azCount);
        const clusterTag = { [`kubernetes.io/cluster/${args.clusterName}`]: "shared" };

        // Opt-in zones (Local and Wavelength Zones) lack most instance types and EKS support, and
        // a few zones cannot hold EKS control-plane interfaces. No `state` filter: a zone that is
        // impaired for an hour would drop out of the list and shift every zone after it.
        const candidates = aws.getAvailabilityZonesOutput(
            {
                region,
                excludeZoneIds: [...EKS_UNSUPPORTED_ZONE_IDS],
                filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
            },
            childOpts,
        );
        const chosen = candidates.names.apply((names) => {
            if (names.length < args.azCount)
                throw new Error(
                    `${region} offers ${names.length} EKS-capable availability zones to this account, azCount is ${args.azCount}`,
                );
            return names.slice(0, args.azCount);
        });
        const zoneAt = (i: number) => chosen.apply((z) => z[i]);
        // The lookup picks a subnet's zone when the subnet is created; after that the subnet keeps
        // it. Moving a subnet means replacing it, and with it every node, ENI and the cluster's
        // control-plane attachment, so a later change in what the lookup returns (a zone added,
        // a region's list reordered) must never reach a live subnet. Pinning zone IDs in config
        // would also be stable, but a new region would then need IDs looked up by hand first.
        const subnetOpts = { ...childOpts, ignoreChanges: ["availabilityZone"] };

        const vpc = new aws.ec2.Vpc(
            `${name}-vpc`,
            {
                region,
                cidrBlock: args.vpcCidr,
                enableDnsHostnames: true,
                enableDnsSupport: true,
                tags: { Name: `${args.clusterName}-vpc` },
            },
            childOpts,
        );
        this.vpcId = vpc.id;

        const igw = new aws.ec2.InternetGateway(
            `${name}-igw`,
            { region, vpcId: vpc.id, tags: { Name: `${args.clusterName}-igw` } },
            childOpts,
        );

        const publicSubnets = layout.publicCidrs.map(
            (cidr, i) =>
                new aws.ec2.Subnet(
                    `${name}-public-${i}`,
                    {
                        region,
                        vpcId: vpc.id,
                        cidrBlock: cidr,
                        availabilityZone: zoneAt(i),
                        // Nothing launched here needs its own public IP: NAT gateways use EIPs, ALBs get theirs.
                        mapPublicIpOnLaunch: false,
                        tags: { Name: `${args.clusterName}-public-${i}`, "kubernetes.io/role/elb": "1", ...clusterTag },
                    },
                    subnetOpts,
                ),
        );
        const privateSubnets = layout.privateCidrs.map(
            (cidr, i) =>
                new aws.ec2.Subnet(
                    `${name}-private-${i}`,
                    {
                        region,
                        vpcId: vpc.id,
                        cidrBlock: cidr,
                        availabilityZone: zoneAt(i),
                        mapPublicIpOnLaunch: false,
                        tags: { Name: `${args.clusterName}-private-${i}`, "kubernetes.io/role/internal-elb": "1", ...clusterTag },
                    },
                    subnetOpts,
                ),
        );
        this.publicSubnetIds = publicSubnets.map((s) => s.id);
        this.privateSubnetIds = privateSubnets.map((s) => s.id);
        // From the subnets, not the lookup: under ignoreChanges only the subnets know where they are.
        this.privateSubnetZones = privateSubnets.map((s) => s.availabilityZone);
        this.zones = pulumi.all(this.privateSubnetZones);

        const publicRoutes = new aws.ec2.RouteTable(
            `${name}-public-rt`,
            { region, vpcId: vpc.id, tags: { Name: `${args.clusterName}-public` } },
            childOpts,
        );
        const internetRoute = new aws.ec2.Route(
            `${name}-public-default`,
            { region, routeTableId: publicRoutes.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id },
            childOpts,
        );
        const publicAssociations = publicSubnets.map(
            (subnet, i) =>
                new aws.ec2.RouteTableAssociation(
                    `${name}-public-${i}`,
                    { region, subnetId: subnet.id, routeTableId: publicRoutes.id },
                    childOpts,
                ),
        );

        const natCount = args.natGatewayPerAz ? args.azCount : 1;
        this.natGateways = Array.from({ length: natCount }, (_, i) => {
            const eip = new aws.ec2.Eip(
                `${name}-nat-${i}`,
                { region, domain: "vpc", tags: { Name: `${args.clusterName}-nat-${i}` } },
                childOpts,
            );
            return new aws.ec2.NatGateway(
                `${name}-nat-${i}`,
                {
                    region,
                    allocationId: eip.allocationId,
                    subnetId: publicSubnets[i].id,
                    connectivityType: "public",
                    tags: { Name: `${args.clusterName}-nat-${i}` },
                },
                // A NAT gateway in a subnet without a route to the internet gateway cannot pass traffic.
                { ...childOpts, dependsOn: [igw, internetRoute, publicAssociations[i]] },
            );
        });

        const egress: pulumi.Resource[] = [internetRoute, ...publicAssociations];
        const privateTables: aws.ec2.RouteTable[] = [];
        privateSubnets.forEach((subnet, i) => {
            // Each zone egresses through its own NAT when there is one, so a zone outage stays local.
            const nat = this.natGateways[args.natGatewayPerAz ? i : 0];
            const table = new aws.ec2.RouteTable(
                `${name}-private-rt-${i}`,
                { region, vpcId: vpc.id, tags: { Name: `${args.clusterName}-private-${i}` } },
                childOpts,
            );
            privateTables.push(table);
            egress.push(
                new aws.ec2.Route(
                    `${name}-private-default-${i}`,
                    { region, routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id },
                    childOpts,
                ),
                new aws.ec2.RouteTableAssociation(
                    `${name}-private-${i}`,
                    { region, subnetId: subnet.id, routeTableId: table.id },
                    childOpts,
                ),
            );
        });
        // Model downloads and ECR image layers (served from S3) are the bulk of node traffic; a
        // gateway endpoint keeps them off the NAT gateways, which bill per GB. It only covers
        // buckets in this region, which is where each region's model-store copy lives.
        this.s3Endpoint = new aws.ec2.VpcEndpoint(
            `${name}-s3`,
            {
                region,
                vpcId: vpc.id,
                vpcEndpointType: "Gateway",
                serviceName: `com.amazonaws.${region}.s3`,
                routeTableIds: privateTables.map((t) => t.id),
                tags: { Name: `${args.clusterName}-s3` },
            },
            childOpts,
        );
        // Nodes wait for it so their first image pulls and model syncs already avoid NAT.
        egress.push(this.s3Endpoint);
        this.egressReady = egress;

        this.registerOutputs({
            vpcId: this.vpcId,
            privateSubnetIds: this.privateSubnetIds,
            publicSubnetIds: this.publicSubnetIds,
            zones: this.zones,
            privateSubnetZones: this.privateSubnetZones,
            s3Endpoint: this.s3Endpoint,
            natGateways: this.natGateways,
            egressReady: this.egressReady,
        });
    }
}
