import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadConfig } from "../config";
import { main as plan } from "../tools/plan";
import {
    MAX_STACK_FILE_BYTES,
    namespaceConfig,
    parseStackFile,
    readProjectFile,
    readStackFile,
    StackFileError,
    type ProjectConfig,
} from "../tools/stackfile";

const ROOT = path.resolve(__dirname, "..");
const DEV = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
const PROD = fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8");

let work: string;
beforeAll(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-stackfile-"))));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function write(name: string, text: string | Buffer): string {
    const file = path.join(work, name);
    fs.writeFileSync(file, text);
    return file;
}

/** Runs the plan on a stack file; every case here must stop before the program runs. */
async function planFile(file: string): Promise<{ code: number; stderr: string[] }> {
    const stderr: string[] = [];
    const code = await plan(["--config-file", file, "--out", path.join(work, "out", path.basename(file))], {
        stdout: () => undefined,
        stderr: (l) => stderr.push(l),
    });
    return { code, stderr };
}

function stackError(fn: () => unknown): string {
    try {
        fn();
    } catch (err) {
        if (err instanceof StackFileError) return err.message;
        throw err;
    }
    throw new Error("no StackFileError");
}

const project = (config: string): ProjectConfig =>
    readProjectFile(write("Pulumi.yaml", `name: modelfleet\nruntime: nodejs\nconfig:\n${config}`));

describe("stack files are read as the Pulumi CLI reads them", () => {
    test("CLI rule (LoadProjectStackBytes): a key without a namespace is the project's, so `regions:` is `modelfleet:regions`", () => {
        const bare = parseStackFile(DEV.replace(/^ {2}modelfleet:/gm, "  "), "Pulumi.dev.yaml");
        const prefixed = parseStackFile(DEV, "Pulumi.dev.yaml");
        expect(bare.config).toEqual(prefixed.config);
        expect(Object.keys(bare.config)).toContain("modelfleet:regions");
        expect(bare.config["aws:region"]).toBe("us-east-1");
    });

    test("CLI rule (ParseKey): the old `ns:config:key` form is `ns:key`", () => {
        expect(parseStackFile("config:\n  modelfleet:config:environment: prod\n", "x.yaml").config["modelfleet:environment"]).toBe("prod");
    });

    test("a key given with and without the namespace is refused", () => {
        expect(stackError(() => parseStackFile("config:\n  environment: dev\n  modelfleet:environment: prod\n", "x.yaml"))).toBe(
            "x.yaml: config keys 'environment' and 'modelfleet:environment' are both modelfleet:environment; keep one",
        );
    });

    const mergeCases: Array<[string, string, string, Record<string, unknown>]> = [
        [
            "CLI rule (mergeConfig): a project key's `default` fills a key the stack leaves out",
            "  environment:\n    type: string\n    default: staging\n",
            "config: {}\n",
            { "modelfleet:environment": "staging" },
        ],
        [
            "CLI rule (mergeConfig): the stack's value wins over the project's default",
            "  modelfleet:environment:\n    default: staging\n",
            "config:\n  modelfleet:environment: prod\n",
            { "modelfleet:environment": "prod" },
        ],
        [
            "CLI rule (project file config options): a non-object value is the value itself",
            "  aws:region: eu-west-1\n",
            "config: {}\n",
            { "aws:region": "eu-west-1" },
        ],
        [
            "CLI rule (project file config options): another namespace's key sets `value`",
            "  aws:region:\n    value: eu-west-1\n",
            "config:\n  aws:region: us-east-1\n",
            { "aws:region": "us-east-1" },
        ],
        [
            "CLI rule (mergeConfig): an object default is merged whole",
            "  images:\n    default: {}\n",
            "config: {}\n",
            { "modelfleet:images": {} },
        ],
    ];
    test.each(mergeCases)("%s", (_name, projectConfig, stackText, expected) => {
        expect(parseStackFile(stackText, "Pulumi.x.yaml", project(projectConfig)).config).toEqual(expected);
    });

    const projectErrors: Array<[string, string, string]> = [
        [
            "CLI rule (Project.Validate): a key cannot have both `default` and `value`",
            "  environment:\n    default: dev\n    value: prod\n",
            "project config 'environment' cannot have both a 'default' and 'value' attribute",
        ],
        [
            "CLI rule (Project.Validate): a key of another namespace takes no `default`",
            "  aws:region:\n    default: us-east-1\n",
            "configuration key 'aws:region' is not namespaced by the project and can only set a 'value' (not 'type' or 'default')",
        ],
        [
            "CLI rule (project file config options): an object value must sit under `value:`",
            "  images:\n    torchserve: x:1\n",
            "config images: 'torchserve' is not a declaration attribute (type, description, secret, default, value, items); an object value goes under 'value:'",
        ],
    ];
    test.each(projectErrors)("%s", (_name, projectConfig, message) => {
        expect(stackError(() => project(projectConfig))).toBe(`${path.join(work, "Pulumi.yaml")}: ${message}`);
    });

    test("CLI rule (validateStackConfigValue): a key the project declares secret must be encrypted", () => {
        const declared = project("  token:\n    type: string\n    secret: true\n");
        expect(stackError(() => parseStackFile("config:\n  token: plain\n", "s.yaml", declared))).toBe(
            "s.yaml: modelfleet:token must be encrypted as the project declares it secret; fix: pulumi config set --secret token <value>",
        );
        expect(parseStackFile("config:\n  token:\n    secure: v1:abc\n", "s.yaml", declared).secretKeys).toEqual(["modelfleet:token"]);
    });

    test("CLI rule (validateStackConfigValue): a typed project key must hold its type", () => {
        const declared = project("  replicas:\n    type: integer\n");
        expect(stackError(() => parseStackFile("config:\n  replicas: many\n", "s.yaml", declared))).toBe(
            "s.yaml: modelfleet:replicas must be of type 'integer' (declared in the project file)",
        );
        expect(parseStackFile("config:\n  replicas: '3'\n", "s.yaml", declared).config["modelfleet:replicas"]).toBe("3");
    });

    test("`secure:` leaves are redacted, their keys secret, their paths recorded", () => {
        const file = parseStackFile(
            "config:\n  kubeconfigs:\n    edge:\n      secure: v1:abc\n  modelfleet:gatewayBackends:\n    clickhouseUrl:\n      secure: v1:def\n",
            "s.yaml",
        );
        expect(file.config["modelfleet:kubeconfigs"]).toEqual({ edge: "[secret]" });
        expect(file.secretKeys).toEqual(["modelfleet:kubeconfigs", "modelfleet:gatewayBackends"]);
        expect(file.securePaths).toEqual(["kubeconfigs.edge", "gatewayBackends.clickhouseUrl"]);
    });

    test("the repository's Pulumi.yaml is read and its defaults merged", () => {
        const file = readStackFile(write("Pulumi.nodefaults.yaml", DEV.replace("  modelfleet:environment: dev\n", "")));
        expect(file.config["modelfleet:environment"]).toBe("dev");
        expect(file.config["modelfleet:kubeconfigs"]).toEqual({});
    });
});

describe("every mistake exits 2 with one line naming the file or key and the fix", () => {
    const cases: Array<[string, () => string, string | RegExp]> = [
        [
            "Pulumi.yaml given as --config-file",
            () => path.join(ROOT, "Pulumi.yaml"),
            `${path.join(ROOT, "Pulumi.yaml")}: is a project file (it has name: and runtime:), not a stack file; give a stack file such as Pulumi.dev.yaml, or --stack NAME`,
        ],
        [
            "a misspelt `config:`",
            () => write("Pulumi.confg.yaml", DEV.replace(/^config:/m, "confg:")),
            /Pulumi\.confg\.yaml: 'confg' is not a stack file key \(config, secretsprovider, encryptedkey, encryptionsalt, environment\); did you mean 'config'\?$/,
        ],
        [
            "a misspelt namespace",
            () => write("Pulumi.ns.yaml", DEV.replace("  modelfleet:models:", "  modelfeet:models:")),
            /Pulumi\.ns\.yaml: config key 'modelfeet:models': namespace 'modelfeet' is neither the project nor a provider; did you mean 'modelfleet:models'\?$/,
        ],
        [
            "a duplicate key, with its line",
            () =>
                write(
                    "Pulumi.dup.yaml",
                    DEV.replace("  modelfleet:environment: dev\n", "  modelfleet:environment: dev\n  modelfleet:environment: prod\n"),
                ),
            /Pulumi\.dup\.yaml:5: key 'modelfleet:environment' is defined twice in one mapping$/,
        ],
        [
            "a YAML alias bomb",
            () =>
                write(
                    "Pulumi.bomb.yaml",
                    [
                        "a: &a [x, x, x, x, x, x, x, x, x, x]",
                        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
                        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
                        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
                        "config:",
                        "  modelfleet:models: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]",
                        "",
                    ].join("\n"),
                ),
            /Pulumi\.bomb\.yaml: has more than 100 YAML alias expansions \(an alias bomb\?\); write the values out$/,
        ],
        ["a device instead of a file", () => "/dev/zero", "/dev/zero: is a character device, not a regular file"],
        [
            "a stack file over the size cap",
            () => write("Pulumi.big.yaml", Buffer.alloc(MAX_STACK_FILE_BYTES + 1, "#")),
            /Pulumi\.big\.yaml: is 4194305 bytes; the cap for this input is 4 MiB$/,
        ],
        [
            "a plain kubeconfig under a secret key",
            () =>
                write(
                    "Pulumi.plainsecret.yaml",
                    PROD.replace(/( {2}modelfleet:kubeconfigs:\n {4}edge-muc:)\n {6}secure: [^\n]+/, "$1 plain-text-kubeconfig"),
                ),
            "modelfleet:kubeconfigs.edge-muc is stored in plain text, and would be committed with the stack file; it must be encrypted; fix: pulumi config set --secret --path 'kubeconfigs.edge-muc' <value>",
        ],
        [
            "an encrypted plain setting",
            () =>
                write(
                    "Pulumi.securesetting.yaml",
                    DEV.replace("    domain: dev.serve.modelfleet.example.com", "    domain:\n      secure: v1:abc"),
                ),
            "modelfleet:serving.domain is encrypted, and the offline plan has no secrets provider to read it (pulumi preview and up read it and keep it secret); fix: plan a copy of the stack file that holds the value of 'pulumi config get --path serving.domain' in plain text",
        ],
        [
            "an unknown key with a newline in it",
            () =>
                write(
                    "Pulumi.newline.yaml",
                    DEV.replace("  modelfleet:environment: dev\n", '  modelfleet:environment: dev\n  "modelfleet:envi\\nronment": dev\n'),
                ),
            "modelfleet:envi\\u000aronment is not a known key (did you mean environment?); fix: rename it to environment, or remove it: pulumi config rm 'modelfleet:envi\\u000aronment'",
        ],
        [
            "`cloud: azure` (no doubled words)",
            () => write("Pulumi.azure.yaml", DEV.replace("cloud: aws", "cloud: azure")),
            "modelfleet:regions[0].cloud must be one of aws, gcp, existing; fix: pulumi config set --path 'regions[0].cloud' <value>",
        ],
        [
            "a misspelt nested key",
            () => write("Pulumi.gpupool.yaml", DEV.replace("gpuPools:", "gpuPool:")),
            "modelfleet:regions[0].gpuPool is not a known key (did you mean regions[0].gpuPools?); fix: rename it to regions[0].gpuPools, or remove it: pulumi config rm --path 'regions[0].gpuPool'",
        ],
    ];
    test.each(cases)("%s", async (_name, file, expected) => {
        const { code, stderr } = await planFile(file());
        expect(code).toBe(2);
        if (typeof expected === "string") expect(stderr).toContain(expected);
        else expect(stderr.some((l) => expected.test(l))).toBe(true);
        for (const line of stderr) expect(line).not.toMatch(/\n/);
    });

    test("--stack naming no stack lists the stacks there", async () => {
        const stderr: string[] = [];
        expect(await plan(["--stack", "qa"], { stdout: () => undefined, stderr: (l) => stderr.push(l) })).toBe(2);
        expect(stderr).toEqual(["--stack qa: no stack file Pulumi.qa.yaml; the stacks are: dev, prod"]);
        const near: string[] = [];
        await plan(["--stack", "prd"], { stdout: () => undefined, stderr: (l) => near.push(l) });
        expect(near).toEqual(["--stack prd: no stack file Pulumi.prd.yaml; the stacks are: dev, prod (did you mean --stack prod?)"]);
    });

    test("--stack with a path in it is refused", async () => {
        const stderr: string[] = [];
        expect(await plan(["--stack", "../../etc/passwd"], { stdout: () => undefined, stderr: (l) => stderr.push(l) })).toBe(2);
        expect(stderr).toEqual(["--stack ../../etc/passwd: is not a stack name (letters, digits, '-', '_' and '.')"]);
    });

    test("project keys without the prefix give the same plan input as with it (no 'is required' errors)", async () => {
        const bare = write("Pulumi.bare.yaml", DEV.replace(/^ {2}modelfleet:/gm, "  ").replace("  serving:", "  servng:"));
        const { code, stderr } = await planFile(bare);
        expect(code).toBe(2);
        // Only the one real mistake is reported.
        expect(stderr).toEqual([
            "modelfleet:servng is not a known key (did you mean serving?); fix: rename it to serving, or remove it: pulumi config rm 'modelfleet:servng'",
            "modelfleet:serving is required (object); fix: pulumi config set --path 'serving' <value>",
        ]);
    });
});

describe("loadConfig keeps the secret status the engine passes", () => {
    const settings = namespaceConfig(readStackFile(path.join(ROOT, "Pulumi.prod.yaml")).config, "modelfleet");
    const runtime = (secretKeys: string[]) =>
        pulumi.runtime.setAllConfig(
            Object.fromEntries(
                Object.entries(settings).map(([k, v]) => [`modelfleet:${k}`, typeof v === "string" ? v : JSON.stringify(v)]),
            ),
            secretKeys,
        );
    afterAll(() => pulumi.runtime.setAllConfig({}, []));

    test("secret keys set with --secret load, and their values come out as secrets", async () => {
        runtime(["modelfleet:kubeconfigs", "modelfleet:edgeStoreCredentials", "modelfleet:gatewayBackends"]);
        const config = loadConfig();
        expect(await pulumi.isSecret(config.secrets.kubeconfigs["edge-muc"])).toBe(true);
        expect(await pulumi.isSecret(config.secrets.edgeStoreCredentials["edge-muc"].accessKeyId)).toBe(true);
    });

    test("a secret key set without --secret is refused", () => {
        runtime(["modelfleet:edgeStoreCredentials", "modelfleet:gatewayBackends"]);
        expect(() => loadConfig()).toThrow(ConfigError);
        try {
            loadConfig();
        } catch (err) {
            expect((err as ConfigError).problems.map((p) => p.path)).toEqual(["kubeconfigs.edge-muc"]);
        }
    });

    test("a plain setting set with --secret loads, and every text value under its key is kept secret", () => {
        runtime(["modelfleet:kubeconfigs", "modelfleet:edgeStoreCredentials", "modelfleet:gatewayBackends", "modelfleet:globalEntry"]);
        const config = loadConfig();
        expect(config.globalEntry.hostedZoneName).toBe("modelfleet.example.com");
        expect(config.secretSettings).toEqual([
            { path: "globalEntry.hostedZoneName", value: "modelfleet.example.com" },
            { path: "globalEntry.routing", value: "latency" },
            { path: "globalEntry.alarmTopicArns[0]", value: "arn:aws:sns:us-east-1:444455556666:modelfleet-oncall" },
            { path: "globalEntry.healthCheck.regions[0]", value: "us-east-1" },
            { path: "globalEntry.healthCheck.regions[1]", value: "eu-west-1" },
            { path: "globalEntry.healthCheck.regions[2]", value: "ap-southeast-1" },
        ]);
    });
});
