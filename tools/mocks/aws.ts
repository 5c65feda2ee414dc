import { CallHandler, digest, fakeCaData, MOCK_ACCOUNT_ID, NewResourceHandler, regionOf, State } from "./values";

/** `arn:aws:<service>:<region>:<account>:<resource>` for a resource type token. */
function arnFor(type: string, name: string, inputs: State): string {
    const service = type.split(":")[1]?.split("/")[0] ?? "unknown";
    const global = ["iam", "route53", "s3"].includes(service);
    const region = global ? "" : regionOf(inputs);
    const account = service === "s3" ? "" : MOCK_ACCOUNT_ID;
    const resourceName = (inputs["name"] as string | undefined) ?? (inputs["bucket"] as string | undefined) ?? name;
    return `arn:aws:${service}:${region}:${account}:${service === "s3" ? resourceName : `${type.split(":")[2]?.toLowerCase()}/${resourceName}`}`;
}

/** Every AWS resource gets an ARN unless its handler says otherwise. */
function withArn(extra?: NewResourceHandler): NewResourceHandler {
    return (name, inputs, id, type) => ({ arn: arnFor(type, name, inputs), ...(extra ? extra(name, inputs, id, type) : {}) });
}

const handlers: Record<string, NewResourceHandler> = {
    "aws:eks/cluster:Cluster": withArn((name, inputs) => ({
        name: inputs["name"] ?? name,
        endpoint: `https://${digest("eks", name).slice(0, 32).toUpperCase()}.gr7.${regionOf(inputs)}.eks.amazonaws.com`,
        certificateAuthority: { data: fakeCaData(name) },
        identities: [
            {
                oidcs: [
                    { issuer: `https://oidc.eks.${regionOf(inputs)}.amazonaws.com/id/${digest("oidc", name).slice(0, 32).toUpperCase()}` },
                ],
            },
        ],
        status: "ACTIVE",
    })),
    "aws:eks/nodeGroup:NodeGroup": withArn((name) => ({
        resources: [{ autoscalingGroups: [{ name: `eks-${name}-${digest("asg", name).slice(0, 8)}` }] }],
        status: "ACTIVE",
    })),
    "aws:ec2/launchTemplate:LaunchTemplate": withArn(() => ({ latestVersion: 1, defaultVersion: 1 })),
    "aws:iam/role:Role": withArn((name, inputs) => ({
        name: inputs["name"] ?? name,
        uniqueId: `AROA${digest("role", name).slice(0, 17).toUpperCase()}`,
    })),
    "aws:iam/policy:Policy": withArn((name, inputs) => ({ name: inputs["name"] ?? name })),
    "aws:iam/user:User": withArn((name, inputs) => ({
        name: inputs["name"] ?? `${name}-${digest("iam-user", name).slice(0, 7)}`,
        uniqueId: `AIDA${digest("user", name).slice(0, 17).toUpperCase()}`,
    })),
    // The secret half of a key; the id (the access key id) is the resource id.
    "aws:iam/accessKey:AccessKey": (name) => ({ secret: digest("access-key-secret", name).slice(0, 40), status: "Active" }),
    "aws:kms/key:Key": withArn((name) => ({
        keyId: `${digest("kms", name).slice(0, 8)}-${digest("kms2", name).slice(0, 4)}-4${digest("kms3", name).slice(0, 3)}-8${digest("kms4", name).slice(0, 3)}-${digest("kms5", name).slice(0, 12)}`,
    })),
    "aws:ecr/repository:Repository": withArn((name, inputs) => {
        const repository = (inputs["name"] as string | undefined) ?? name;
        return {
            name: repository,
            registryId: MOCK_ACCOUNT_ID,
            repositoryUrl: `${MOCK_ACCOUNT_ID}.dkr.ecr.${regionOf(inputs)}.amazonaws.com/${repository}`,
        };
    }),
    "aws:ec2/vpc:Vpc": withArn(),
    "aws:ec2/subnet:Subnet": withArn(),
    "aws:ec2/securityGroup:SecurityGroup": withArn(),
    "aws:ec2/eip:Eip": withArn((name) => {
        const h = digest("eip", name);
        return {
            publicIp: `52.${parseInt(h.slice(0, 2), 16)}.${parseInt(h.slice(2, 4), 16)}.${parseInt(h.slice(4, 6), 16)}`,
            allocationId: `eipalloc-${h.slice(0, 17)}`,
        };
    }),
    "aws:s3/bucket:Bucket": withArn((name, inputs) => {
        const bucket = (inputs["bucket"] as string | undefined) ?? name;
        return { bucket, bucketRegionalDomainName: `${bucket}.s3.${regionOf(inputs)}.amazonaws.com`, region: regionOf(inputs) };
    }),
    "aws:acm/certificate:Certificate": withArn((_name, inputs) => {
        const names = [inputs["domainName"], ...((inputs["subjectAlternativeNames"] as string[] | undefined) ?? [])].filter(
            (n): n is string => typeof n === "string",
        );
        return {
            domainValidationOptions: [...new Set(names)].map((domainName) => ({
                domainName,
                resourceRecordName: `_${digest("acm", domainName).slice(0, 32)}.${domainName}.`,
                resourceRecordType: "CNAME",
                resourceRecordValue: `_${digest("acmv", domainName).slice(0, 32)}.mhbtsbpdnt.acm-validations.aws.`,
            })),
            status: "ISSUED",
        };
    }),
    "aws:route53/healthCheck:HealthCheck": withArn(),
    "aws:route53/record:Record": (name, inputs) => ({ fqdn: inputs["name"] ?? name }),
    "aws:cloudwatch/metricAlarm:MetricAlarm": withArn(),
    "aws:lb/loadBalancer:LoadBalancer": withArn((name, inputs) => ({
        dnsName: `${name}-${parseInt(digest("alb", name).slice(0, 8), 16)}.${regionOf(inputs)}.elb.amazonaws.com`,
        zoneId: "Z35SXDOTRQ7X7K",
    })),
};

const arnOnly = withArn();

/** The handler for an AWS type: its own, or one that adds the ARN every AWS resource has. */
export function awsResourceHandler(type: string): NewResourceHandler | undefined {
    if (!type.startsWith("aws:")) return undefined;
    return handlers[type] ?? arnOnly;
}

/** Public hosted zones the fixtures use, by name. */
const hostedZones: Record<string, string> = {};

/** Canonical hosted zone of Application Load Balancers per region (alias targets need it). */
const albHostedZones: Record<string, string> = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-1": "Z368ELLRRE2KJ0",
    "us-west-2": "Z1H1FL5HABSF5",
    "ca-central-1": "ZQSVJUPU6J1EY",
    "sa-east-1": "Z2P70J7HTTTPLU",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-west-2": "ZHURV8PSTC4K8",
    "eu-west-3": "Z3Q77PNBQS71R4",
    "eu-central-1": "Z215JYRZR1TBD5",
    "eu-north-1": "Z23TAZ6LKFMNIO",
    "ap-east-1": "Z3DQVH9N71FHZ0",
    "ap-northeast-1": "Z14GRHDCWA56QT",
    "ap-northeast-2": "ZWKZPGTI48KDX",
    "ap-south-1": "ZP97RAFLXTNZK",
    "ap-southeast-1": "Z1LMS91P8CMLE5",
    "ap-southeast-2": "Z1GM3OXH4ZPM65",
};

/** The same for Network Load Balancers. */
const nlbHostedZones: Record<string, string> = {
    "us-east-1": "Z26RNL4JYFTOTI",
    "us-east-2": "ZLMOA37VPKANP",
    "us-west-1": "Z24FKFUX50B4VW",
    "us-west-2": "Z18D5FSROUN65G",
    "ca-central-1": "Z2EPGBW3API2WT",
    "sa-east-1": "ZTK26PT1VY4CU",
    "eu-west-1": "Z2IFOLAFXWLO4F",
    "eu-west-2": "ZD4D7Y8KGAS4G",
    "eu-west-3": "Z1CMS0P5QUZ6D5",
    "eu-central-1": "Z3F0SRJ5LGBH90",
    "eu-north-1": "Z1UDT6IFJ4EJM",
    "ap-east-1": "Z12Y7K3UBGUAD1",
    "ap-northeast-1": "Z31USIVHYNEOWT",
    "ap-northeast-2": "ZIBE1TIR4HY56",
    "ap-south-1": "ZVDDRBQ08TROA",
    "ap-southeast-1": "ZKVM4W9LS7TM",
    "ap-southeast-2": "ZCT6FZBF4DROD",
};

/** The prefix of a region's zone IDs: us-east-1 → use1, ap-southeast-2 → apse2, eu-central-1 → euc1. */
function zoneIdPrefix(region: string): string {
    const [geo, direction, number] = region.split("-");
    const short: Record<string, string> = {
        east: "e",
        west: "w",
        north: "n",
        south: "s",
        central: "c",
        northeast: "ne",
        southeast: "se",
        northwest: "nw",
        southwest: "sw",
    };
    return `${geo}${short[direction] ?? direction}${number}`;
}

export const awsCalls: Record<string, CallHandler> = {
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({
        accountId: MOCK_ACCOUNT_ID,
        arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/offline-plan`,
        userId: "AIDAOFFLINEPLAN",
        id: MOCK_ACCOUNT_ID,
    }),
    "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" }),
    // Six zones per region, zone n carrying ID <code>-az<n>; excludeNames and excludeZoneIds are honoured.
    "aws:index/getAvailabilityZones:getAvailabilityZones": (inputs) => {
        const region = regionOf(inputs);
        const excludedNames = (inputs["excludeNames"] as string[] | undefined) ?? [];
        const excludedIds = (inputs["excludeZoneIds"] as string[] | undefined) ?? [];
        const zones = ["a", "b", "c", "d", "e", "f"]
            .map((letter, i) => ({ name: `${region}${letter}`, zoneId: `${zoneIdPrefix(region)}-az${i + 1}` }))
            .filter((z) => !excludedNames.includes(z.name) && !excludedIds.includes(z.zoneId));
        return { names: zones.map((z) => z.name), zoneIds: zones.map((z) => z.zoneId), id: region };
    },
    // GPU types are not offered in every zone: every requested type is offered in zones a-c only.
    "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings": (inputs) => {
        const region = regionOf(inputs);
        const locationType = String(inputs["locationType"] ?? "region");
        const filters = (inputs["filters"] as Array<{ name: string; values: string[] }> | undefined) ?? [];
        const types = filters.find((f) => f.name === "instance-type")?.values ?? [];
        const locations =
            locationType === "availability-zone"
                ? ["a", "b", "c"].map((l) => `${region}${l}`)
                : locationType === "availability-zone-id"
                  ? [1, 2, 3].map((n) => `${zoneIdPrefix(region)}-az${n}`)
                  : [region];
        const pairs = types.flatMap((type) => locations.map((location) => ({ type, location })));
        return {
            instanceTypes: pairs.map((p) => p.type),
            locations: pairs.map((p) => p.location),
            locationTypes: pairs.map(() => locationType),
            locationType,
            region,
            id: region,
        };
    },
    // The default version EKS names for an add-on on a Kubernetes version (stand-in values).
    "aws:eks/getAddonVersion:getAddonVersion": (inputs) => {
        const addonName = String(inputs["addonName"]);
        const kubernetesVersion = String(inputs["kubernetesVersion"]);
        return {
            addonName,
            kubernetesVersion,
            version: "v1.17.2-eksbuild.1",
            region: regionOf(inputs),
            id: `${addonName}-${kubernetesVersion}`,
        };
    },
    "aws:route53/getZone:getZone": (inputs) => {
        const name = String(inputs["name"] ?? "example.com").replace(/\.$/, "");
        const zoneId = hostedZones[name] ?? `Z${digest("zone", name).slice(0, 20).toUpperCase()}`;
        return { zoneId, id: zoneId, name: `${name}.`, nameServers: ["ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk"] };
    },
    "aws:lb/getHostedZoneId:getHostedZoneId": (inputs) => {
        const region = regionOf(inputs);
        const loadBalancerType = String(inputs["loadBalancerType"] ?? "application");
        const id = (loadBalancerType === "network" ? nlbHostedZones : albHostedZones)[region];
        if (!id) throw new Error(`no ${loadBalancerType} load-balancer hosted zone known for ${region}: add it to tools/mocks/aws.ts`);
        return { id, loadBalancerType, region };
    },
    "aws:iam/getPolicyDocument:getPolicyDocument": (inputs) => {
        const statements = ((inputs["statements"] as State[] | undefined) ?? []).map((s) => ({
            Sid: s["sid"],
            Effect: s["effect"] ?? "Allow",
            Action: s["actions"],
            Resource: s["resources"],
            Principal: s["principals"],
            Condition: s["conditions"],
        }));
        const json = JSON.stringify({ Version: "2012-10-17", Statement: statements });
        return { json, minifiedJson: json, id: digest("policy", json).slice(0, 10) };
    },
};
