import { digest, NewResourceHandler } from "./values";

export const randomResources: Record<string, NewResourceHandler> = {
    "random:index/randomId:RandomId": (name, inputs) => {
        const bytes = Number(inputs["byteLength"] ?? 4);
        const hex = digest("random-id", name).slice(0, bytes * 2);
        return {
            hex,
            dec: BigInt(`0x${hex}`).toString(),
            b64Url: Buffer.from(hex, "hex").toString("base64url"),
            b64Std: Buffer.from(hex, "hex").toString("base64"),
        };
    },
    "random:index/randomPassword:RandomPassword": (name, inputs) => ({
        result: digest("random-password", name).slice(0, Number(inputs["length"] ?? 32)),
    }),
    "random:index/randomString:RandomString": (name, inputs) => ({
        result: digest("random-string", name).slice(0, Number(inputs["length"] ?? 16)),
    }),
};
