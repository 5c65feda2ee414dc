import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config/errors";
import { keepSettingsSecret, secretOutput } from "../config/secretSettings";
import { promiseOf, useMocks } from "./mocks";

/** Unit tests of config/secretSettings.ts; test/secret-settings.test.ts runs it inside the dev plan. */

const DOMAIN = "models.example.com";
const settings = [{ path: "serving.domain", value: DOMAIN }];

/** A leaf as the engine would store it: a secret's value marked, plain values as they are. */
async function stored(value: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) {
        const secret = await pulumi.isSecret(value);
        const inner = await stored(await promiseOf(value));
        return secret ? { secret: inner } : { output: inner };
    }
    if (Array.isArray(value)) return Promise.all(value.map(stored));
    if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
        const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await stored(v)] as const));
        return Object.fromEntries(entries);
    }
    return value;
}

describe("secretOutput", () => {
    test("a text holding any one of several secret values becomes a secret", async () => {
        const two = [...settings, { path: "serving.namespace", value: "inference-a" }];
        expect(await stored(secretOutput({ url: `https://${DOMAIN}/`, ns: "inference-a", other: "b" }, two))).toEqual({
            url: { secret: `https://${DOMAIN}/` },
            ns: { secret: "inference-a" },
            other: "b",
        });
    });

    test("without secret settings, the value itself comes back", () => {
        const value = { url: `https://${DOMAIN}/` };
        expect(secretOutput(value, [])).toBe(value);
    });

    test("every text holding the value, whole or in part, becomes a secret; the rest stays plain", async () => {
        const value = {
            url: `https://${DOMAIN}/v1`,
            name: "gateway",
            hosts: [DOMAIN, "other.example.com", 443],
            nested: { host: DOMAIN, port: 8080, enabled: true, missing: null, unset: undefined },
        };
        expect(await stored(secretOutput(value, settings))).toEqual({
            url: { secret: `https://${DOMAIN}/v1` },
            name: "gateway",
            hosts: [{ secret: DOMAIN }, "other.example.com", 443],
            nested: { host: { secret: DOMAIN }, port: 8080, enabled: true, missing: null, unset: undefined },
        });
    });

    test("inside an Output, only the texts that hold the value", async () => {
        const out = secretOutput(pulumi.output({ host: DOMAIN, port: "8080" }), settings);
        expect(pulumi.Output.isInstance(out)).toBe(true);
        const value = pulumi.Output.isInstance(out) ? await promiseOf(out) : undefined;
        expect(await stored(value)).toEqual({ host: { secret: DOMAIN }, port: "8080" });
        const plain = secretOutput(pulumi.output("other.example.com"), settings);
        expect(await stored(plain)).toEqual({ output: "other.example.com" });
    });

    test("an object without a prototype is walked; class instances pass as they are", async () => {
        const bare: Record<string, unknown> = Object.create(null);
        bare["host"] = DOMAIN;
        const walked = secretOutput(bare, settings);
        expect(walked).not.toBe(bare);
        expect(await stored({ ...(walked as object) })).toEqual({ host: { secret: DOMAIN } });

        class Holder {
            host = DOMAIN;
        }
        const instance = new Holder();
        expect(secretOutput(instance, settings)).toBe(instance);
        const date = new Date(0);
        expect(secretOutput(date, settings)).toBe(date);
    });
});

describe("keepSettingsSecret", () => {
    beforeAll(() => useMocks());

    test("a resource named with a secret value is refused, naming the key and the fix", async () => {
        let thrown: unknown;
        await pulumi.runtime.runInPulumiStack(async () => {
            keepSettingsSecret([{ path: "regions[0].zone", value: "zone-a" }, ...settings]);
            try {
                new pulumi.ComponentResource("modelfleet:test:Holder", "serving-zone-a");
            } catch (err) {
                thrown = err;
            }
            return {};
        });
        expect(thrown).toBeInstanceOf(ConfigError);
        expect(thrown instanceof ConfigError ? thrown.problems : []).toEqual([
            {
                path: "regions[0].zone",
                message:
                    "is secret, but the program names resource 'serving-zone-a' with it, and a URN is never encrypted (Pulumi passes all of modelfleet:regions as secret when any value under it was set with --secret)",
                fix: "keep every value under modelfleet:regions plain: pulumi config set --path 'regions[0].zone' <value>",
            },
        ]);
    });

    test("a resource whose inputs hold a secret value gets them as secrets", async () => {
        let props: unknown;
        await pulumi.runtime.runInPulumiStack(async () => {
            keepSettingsSecret(settings);
            pulumi.runtime.registerStackTransformation((args) => {
                if (args.name === "gateway-host") props = args.props;
                return undefined;
            });
            new pulumi.ComponentResource("modelfleet:test:Holder", "gateway-host", { host: DOMAIN, port: 443 });
            return {};
        });
        expect(await stored(props)).toEqual({ host: { secret: DOMAIN }, port: 443 });
    });

    test("without secret settings, resources get their inputs untouched", async () => {
        const inputs = { host: DOMAIN, port: 443 };
        let props: unknown;
        await pulumi.runtime.runInPulumiStack(async () => {
            keepSettingsSecret([]);
            pulumi.runtime.registerStackTransformation((args) => {
                if (args.name === "plain-host") props = args.props;
                return undefined;
            });
            new pulumi.ComponentResource("modelfleet:test:Holder", "plain-host", inputs);
            return {};
        });
        expect(props).toBe(inputs);
    });
});
