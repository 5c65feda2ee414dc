import { createHash } from "crypto";

/**
 * Deterministic stand-ins for values a cloud computes (ids, ARNs, endpoints), so the
 * offline plan and the tests see realistic values flow downstream instead of undefined.
 * The same inputs always give the same values: plans diff cleanly between runs.
 */

export const MOCK_ACCOUNT_ID = "111122223333";

/** A short stable hex digest of the parts. */
export function digest(...parts: unknown[]): string {
    return createHash("sha256")
        .update(parts.map((p) => JSON.stringify(p ?? null)).join("|"))
        .digest("hex");
}

/** A region from a resource's inputs, else the default. */
export function regionOf(inputs: Record<string, unknown>, fallback = "us-east-1"): string {
    const region = inputs["region"] ?? inputs["location"];
    return typeof region === "string" && region.length > 0 ? region : fallback;
}

/** A PEM-shaped, base64-encoded certificate authority (not a real certificate). */
export function fakeCaData(seed: string): string {
    const body = Buffer.from(`modelfleet offline plan CA ${digest(seed)}`).toString("base64");
    return Buffer.from(`-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`).toString("base64");
}

export type State = Record<string, unknown>;
/** Computes the outputs a cloud would add to a resource of one type. */
export type NewResourceHandler = (name: string, inputs: State, id: string, type: string) => State;
export type CallHandler = (inputs: State) => State;
