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
        identities: [{ oidcs: [{ issuer: `https://oidc.eks.${regionOf(inputs)}.amazonaws.com/id/${digest("oidc", name).slice(0, 32).toUpperCase()}` }] }],
        status: "ACTIVE",
    })),
    "aws:eks/nodeGroup:NodeGroup": withArn((name) => ({
        resources: [{ autoscalingGroups: [{ name: `eks-${name}-${digest("asg", name).slice(0, 8)}` }] }],
        status: "ACTIVE",
    })),
    "aws:iam/role:Role": withArn((name, inputs) => ({ name: inputs["name"] ?? name, uniqueId: `AROA${digest("role", name).slice(0, 17).toUpperCase()}` })),
    "aws:iam/policy:Policy": withArn((name, inputs) => ({ name: inputs["name"] ?? name })),
    "aws:kms/key:Key": withArn((name) => ({ keyId: `${digest("kms", name).slice(0, 8)}-${digest("kms2", name).slice(0, 4)}-4${digest("kms3", name).slice(0, 3)}-8${digest("kms4", name).slice(0, 3)}-${digest("kms5", name).slice(0, 12)}` })),
    "aws:ec2/vpc:Vpc": withArn(),
    "aws:ec2/subnet:Subnet": withArn(),
    "aws:ec2/securityGroup:SecurityGroup": withArn(),
    "aws:ec2/eip:Eip": withArn((name) => {
        const h = digest("eip", name);
        return { publicIp: `52.${parseInt(h.slice(0, 2), 16)}.${parseInt(h.slice(2, 4), 16)}.${parseInt(h.slice(4, 6), 16)}`, allocationId: `eipalloc-${h.slice(0, 17)}` };
    }),
    "aws:s3/bucket:Bucket": withArn((name, inputs) => {
        const bucket = (inputs["bucket"] as string | undefined) ?? name;
        return { bucket, bucketRegionalDomainName: `${bucket}.s3.${regionOf(inputs)}.amazonaws.com`, region: regionOf(inputs) };
    }),
    "aws:acm/certificate:Certificate": withArn((_name, inputs) => {
        const names = [inputs["domainName"], ...((inputs["subjectAlternativeNames"] as string[] | undefined) ?? [])].filter((n): n is string => typeof n === "string");
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

export const awsCalls: Record<string, CallHandler> = {
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({
        accountId: MOCK_ACCOUNT_ID,
        arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/offline-plan`,
        userId: "AIDAOFFLINEPLAN",
        id: MOCK_ACCOUNT_ID,
    }),
    "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" }),
    "aws:index/getAvailabilityZones:getAvailabilityZones": (inputs) => {
        const region = regionOf(inputs);
        const letters = ["a", "b", "c", "d", "e", "f"];
        return { names: letters.map((l) => `${region}${l}`), zoneIds: letters.map((_, i) => `${region.replace(/-/g, "").slice(0, 4)}-az${i + 1}`), id: region };
    },
    "aws:route53/getZone:getZone": (inputs) => {
        const name = String(inputs["name"] ?? "example.com").replace(/\.$/, "");
        const zoneId = hostedZones[name] ?? `Z${digest("zone", name).slice(0, 20).toUpperCase()}`;
        return { zoneId, id: zoneId, name: `${name}.`, nameServers: ["ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk"] };
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
