/**
 * Every default of the stack config, in one place. `Pulumi.yaml` declares the same values
 * so `pulumi config` shows them; a test keeps the two in step.
 */
export const defaults = {
    environment: "dev",
    deployStage: "serving",
    kubernetesIdentity: "admin",
    aws: {
        azCount: 3,
        natGatewayPerAz: false,
        /** In EKS standard support until 2027-03-27 (config/catalog.ts, eksStandardSupport). */
        kubernetesVersion: "1.35",
        /**
         * EKS managed add-on versions for Kubernetes 1.35, pinned. kube-proxy from the EKS user
         * guide's kube-proxy table; the others as EKS clusters on 1.35 run them. Not confirmed
         * from AWS's documentation: the newest EKS user guide pages found (2026-12-04) list
         * CoreDNS only up to 1.34 (v1.12.4-eksbuild.1, "Manage CoreDNS", managing-coredns.html)
         * and the VPC CNI up to 1.33 (v1.20.1-eksbuild.3, "Assign IPs to Pods with the Amazon
         * VPC CNI", managing-vpc-cni.html); the EBS CSI driver and Pod Identity agent pages have
         * no per-version table. So confirm each with
         * `aws eks describe-addon-versions --kubernetes-version 1.35 --addon-name <name>` before
         * the first `pulumi up` (docs/runbooks/first-deploy.md).
         */
        addons: {
            "vpc-cni": "v1.21.1-eksbuild.1",
            coredns: "v1.13.2-eksbuild.4",
            "kube-proxy": "v1.35.3-eksbuild.2",
            "eks-pod-identity-agent": "v1.3.10-eksbuild.2",
            "aws-ebs-csi-driver": "v1.60.0-eksbuild.1",
        },
        logTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
        systemPool: { instanceTypes: ["m7i.large"], minNodes: 2, maxNodes: 4, desiredNodes: 2, diskSizeGb: 50 },
    },
    gcp: {
        releaseChannel: "REGULAR",
        systemPool: { machineType: "e2-standard-4", minNodes: 1, maxNodes: 3, diskSizeGb: 50 },
        masterCidr: "172.16.0.0/28",
    },
    gpuPool: { minNodes: 0, maxNodes: 4, capacity: "on-demand", diskSizeGb: 200 },
    modelStore: {
        noncurrentVersionDays: 30,
        abortIncompleteUploadDays: 7,
        replicationTimeControl: false,
        gcsSoftDeleteDays: 7,
        transferIntervalMinutes: 60,
    },
    model: {
        batchSize: 1,
        maxBatchDelayMs: 100,
        minWorkers: 1,
        maxWorkers: 1,
        responseTimeoutSeconds: 120,
        openai: false,
        /**
         * HPA targets per TorchServe pod: mean queue wait per request (ms, from
         * ts_queue_latency_microseconds / ts_inference_requests_total) and, where the cloud
         * exports DCGM, GPU utilisation (%).
         */
        scaling: { queueLatencyMs: 200, gpuUtilizationPercent: 80 },
    },
    serving: {
        namespace: "modelfleet",
        activeColor: "blue",
        torchserve: {
            replicas: { min: 1, max: 4 },
            previewMinReplicas: 1,
            cpu: "4",
            memory: "16Gi",
            gpus: 1,
            cpuTargetPercent: 70,
            ports: { inference: 8080, management: 8081, metrics: 8082 },
            jobQueueSize: 100,
            defaultResponseTimeoutSeconds: 120,
        },
        gateway: {
            replicas: { min: 2, max: 6 },
            cpu: "1",
            memory: "1Gi",
            cpuTargetPercent: 70,
            port: 3000,
        },
        monitoring: true,
        /** Per-track serving objectives the alerts and the rollout check compare against. */
        slo: { errorRatePercent: 1, p95LatencyMs: 2000 },
        /** The Prometheus the custom-metrics adapter reads on clusters without GKE Managed Prometheus. */
        autoscaling: { prometheusUrl: "http://prometheus-operated.monitoring.svc:9090" },
    },
    images: {
        torchserve: "pytorch/torchserve:0.12.0-gpu",
        gateway: "tensorzero/gateway:2026.6.0",
        modelSyncS3: "amazon/aws-cli:2.27.49",
        modelSyncGcs: "gcr.io/google.com/cloudsdktool/google-cloud-cli:530.0.0-slim",
        devicePlugin: "nvcr.io/nvidia/k8s-device-plugin:v0.17.2",
        clusterAutoscaler: "registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.0",
        awsLoadBalancerController: "public.ecr.aws/eks/aws-load-balancer-controller:v2.13.3",
        metricsServer: "registry.k8s.io/metrics-server/metrics-server:v0.8.1",
        prometheusAdapter: "registry.k8s.io/prometheus-adapter/prometheus-adapter:v0.12.0",
        stackdriverAdapter: "gcr.io/gke-release/custom-metrics-stackdriver-adapter:v0.16.9-gke.0",
    },
    /** What the plan's cost estimate assumes (docs/cost.md). */
    pricing: { modelStoreGb: 100 },
    globalEntry: {
        routing: "latency",
        healthCheck: {
            requestIntervalSeconds: 10,
            failureThreshold: 3,
            regions: ["us-east-1", "eu-west-1", "ap-southeast-1"],
        },
    },
} as const;
