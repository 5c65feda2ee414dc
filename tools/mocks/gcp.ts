import { CallHandler, digest, fakeCaData, NewResourceHandler, State } from "./values";

const project = (inputs: State) => String(inputs["project"] ?? "modelfleet-offline");

/** The name the provider gives a resource whose name input is left out: `<logical name>-<7 hex>`. */
const autoName = (name: string) => `${name}-${digest("autoname", name).slice(0, 7)}`;

export const gcpResources: Record<string, NewResourceHandler> = {
    "gcp:container/cluster:Cluster": (name, inputs) => {
        const h = digest("gke", name);
        return {
            name: inputs["name"] ?? name,
            endpoint: `34.${parseInt(h.slice(0, 2), 16)}.${parseInt(h.slice(2, 4), 16)}.${parseInt(h.slice(4, 6), 16)}`,
            masterAuth: { clusterCaCertificate: fakeCaData(name) },
            selfLink: `https://container.googleapis.com/v1/projects/${project(inputs)}/locations/${inputs["location"]}/clusters/${inputs["name"] ?? name}`,
        };
    },
    "gcp:serviceaccount/account:Account": (name, inputs) => ({
        email: `${inputs["accountId"] ?? name}@${project(inputs)}.iam.gserviceaccount.com`,
        name: `projects/${project(inputs)}/serviceAccounts/${inputs["accountId"] ?? name}@${project(inputs)}.iam.gserviceaccount.com`,
        uniqueId: BigInt(`0x${digest("sa", name).slice(0, 15)}`).toString(),
        member: `serviceAccount:${inputs["accountId"] ?? name}@${project(inputs)}.iam.gserviceaccount.com`,
    }),
    "gcp:compute/network:Network": (name, inputs) => ({
        selfLink: `https://www.googleapis.com/compute/v1/projects/${project(inputs)}/global/networks/${inputs["name"] ?? name}`,
    }),
    "gcp:compute/subnetwork:Subnetwork": (name, inputs) => ({
        selfLink: `https://www.googleapis.com/compute/v1/projects/${project(inputs)}/regions/${inputs["region"]}/subnetworks/${inputs["name"] ?? name}`,
    }),
    "gcp:compute/globalAddress:GlobalAddress": (name, inputs) => {
        const h = digest("gaddr", name);
        return {
            address: `34.${parseInt(h.slice(0, 2), 16)}.${parseInt(h.slice(2, 4), 16)}.${parseInt(h.slice(4, 6), 16)}`,
            name: inputs["name"] ?? autoName(name),
        };
    },
    "gcp:compute/managedSslCertificate:ManagedSslCertificate": (name, inputs) => {
        const certName = inputs["name"] ?? autoName(name);
        const managed = (inputs["managed"] ?? {}) as State;
        return {
            name: certName,
            certificateId: Number(BigInt(`0x${digest("sslcert", name).slice(0, 12)}`)),
            selfLink: `https://www.googleapis.com/compute/v1/projects/${project(inputs)}/global/sslCertificates/${certName}`,
            subjectAlternativeNames: managed["domains"] ?? [],
        };
    },
    "gcp:certificatemanager/dnsAuthorization:DnsAuthorization": (name, inputs) => {
        const authName = inputs["name"] ?? autoName(name);
        const h = digest("dnsauth", `${project(inputs)}/${String(inputs["domain"])}`);
        // PER_PROJECT_RECORD answers: a CNAME under a project-specific label, pointing into Google's zone.
        return {
            name: authName,
            dnsResourceRecords: [
                {
                    name: `_acme-challenge_${h.slice(0, 8)}.${String(inputs["domain"])}.`,
                    type: "CNAME",
                    data: `${h.slice(8, 16)}-${h.slice(16, 20)}.6.authorize.certificatemanager.goog.`,
                },
            ],
        };
    },
    "gcp:certificatemanager/certificate:Certificate": (name, inputs) => ({ name: inputs["name"] ?? autoName(name) }),
    "gcp:certificatemanager/certificateMap:CertificateMap": (name, inputs) => ({ name: inputs["name"] ?? autoName(name) }),
    "gcp:compute/sSLPolicy:SSLPolicy": (name, inputs) => ({
        name: inputs["name"] ?? autoName(name),
        selfLink: `https://www.googleapis.com/compute/v1/projects/${project(inputs)}/global/sslPolicies/${inputs["name"] ?? autoName(name)}`,
        fingerprint: digest("sslpolicy", name).slice(0, 12),
    }),
    "gcp:storage/bucket:Bucket": (name, inputs) => ({
        url: `gs://${inputs["name"] ?? name}`,
        selfLink: `https://www.googleapis.com/storage/v1/b/${inputs["name"] ?? name}`,
    }),
    "gcp:storage/transferJob:TransferJob": (name, inputs) => ({
        name: inputs["name"] ?? `transferJobs/${BigInt(`0x${digest("transfer-job", name).slice(0, 15)}`).toString()}`,
    }),
};

export const gcpCalls: Record<string, CallHandler> = {
    "gcp:storage/getTransferProjectServiceAccount:getTransferProjectServiceAccount": (inputs) => {
        const number = BigInt(`0x${digest("projnum", project(inputs)).slice(0, 10)}`).toString();
        return {
            email: `project-${number}@storage-transfer-service.iam.gserviceaccount.com`,
            subjectId: BigInt(`0x${digest("sts", number).slice(0, 15)}`).toString(),
            member: "",
            project: project(inputs),
            id: project(inputs),
        };
    },
    "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": (inputs) => {
        const number = BigInt(`0x${digest("projnum", project(inputs)).slice(0, 10)}`).toString();
        const emailAddress = `service-${number}@gs-project-accounts.iam.gserviceaccount.com`;
        return { emailAddress, member: `serviceAccount:${emailAddress}`, project: project(inputs), id: project(inputs) };
    },
    "gcp:organizations/getProject:getProject": (inputs) => ({
        projectId: project(inputs),
        number: BigInt(`0x${digest("projnum", project(inputs)).slice(0, 10)}`).toString(),
        id: `projects/${project(inputs)}`,
    }),
};
