import type * as aws from "@pulumi/aws";

/** A request as IAM sees it, for the few condition operators the program's policies use. */
export interface IamRequest {
    action: string;
    resource: string;
    /** Condition keys of the request, e.g. aws:RequestedRegion, aws:ResourceTag/..., ec2:Vpc; a multivalued key as a list. */
    context: Record<string, string | string[]>;
}

const glob = (pattern: string, value: string) =>
    new RegExp(
        `^${pattern
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
    ).test(value);
const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

function conditionHolds(
    condition: Record<string, Record<string, unknown>> | undefined,
    context: Record<string, string | string[]>,
): boolean {
    for (const [operator, entries] of Object.entries(condition ?? {})) {
        for (const [key, expected] of Object.entries(entries)) {
            const actual = context[key];
            const values = list(expected);
            if (operator === "ForAllValues:StringEquals") {
                // IAM: true when every value of the request's key is listed; an absent key is vacuously true.
                if (!list(actual).every((v) => values.includes(v))) return false;
                continue;
            }
            if (Array.isArray(actual))
                throw new Error(`test evaluator: ${key} is multivalued; ${operator} needs a ForAllValues/ForAnyValue prefix`);
            if (operator === "StringEquals" && (actual === undefined || !values.includes(actual))) return false;
            else if (operator === "StringEqualsIfExists" && actual !== undefined && !values.includes(actual)) return false;
            else if (!["StringEquals", "StringEqualsIfExists"].includes(operator))
                throw new Error(`test evaluator does not know the ${operator} operator`);
        }
    }
    return true;
}

/** Whether an identity policy allows the request (no Deny statements in these policies). */
export function allows(doc: aws.iam.PolicyDocument, request: IamRequest): boolean {
    return (doc.Statement as aws.iam.PolicyStatement[]).some(
        (s) =>
            s.Effect === "Allow" &&
            list(s.Action).some((a) => glob(a, request.action)) &&
            list(s.Resource).some((r) => glob(r, request.resource)) &&
            conditionHolds(s.Condition as Record<string, Record<string, unknown>> | undefined, request.context),
    );
}
