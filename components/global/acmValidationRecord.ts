import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { VALIDATION_TTL_SECONDS } from "./dns";

export interface AcmValidationRecordArgs {
    /** The DNS name ACM validates, e.g. serve.example.com (required). */
    domainName: string;
    /** A certificate that covers domainName; its validation option gives the CNAME (required). */
    certificate: aws.acm.Certificate;
    /** Route 53 hosted zone that holds domainName (required). */
    zoneId: pulumi.Input<string>;
    /** AWS provider for the record (default: the program's default provider). */
    provider?: aws.Provider;
}

/**
 * The one Route 53 CNAME that proves control of a DNS name to ACM, shared by every
 * certificate of the account that covers the name (ACM gives them all the same record, in
 * every region). It is created without a parent and named after the DNS name only
 * (acmValidationRecordName), so its URN does not change when the region that supplies the
 * value changes: removing that region hands the record to the next one instead of deleting
 * a record the other regions' certificates still need to renew.
 */
export class AcmValidationRecord extends pulumi.ComponentResource {
    public readonly record: aws.route53.Record;
    /** The record's name, e.g. `_<hash>.serve.example.com.`. */
    public readonly fqdn: pulumi.Output<string>;

    constructor(name: string, args: AcmValidationRecordArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelfleet:global:AcmValidationRecord", name, {}, opts);

        const problems: string[] = [];
        if (!args.domainName) problems.push("domainName is required");
        if (problems.length > 0) throw new Error(`AcmValidationRecord ${name}: ${problems.join("; ")}`);

        // ACM returns the options as a set (no stable order), so pick ours by name; the record
        // itself is created here, outside apply, with only its values coming from it.
        const option = args.certificate.domainValidationOptions.apply((options) => {
            const match = options.find((o) => o.domainName === args.domainName);
            if (!match) {
                throw new Error(
                    `AcmValidationRecord ${name}: the certificate has no validation option for ${args.domainName} (it covers ${options.map((o) => o.domainName).join(", ")})`,
                );
            }
            return match;
        });

        this.record = new aws.route53.Record(
            `${name}-cname`,
            {
                zoneId: args.zoneId,
                name: option.resourceRecordName,
                type: option.resourceRecordType,
                records: [option.resourceRecordValue],
                ttl: VALIDATION_TTL_SECONDS,
                // The value is the same for every certificate of the account, so a record
                // left by a console request or an earlier stack is taken over, not refused.
                allowOverwrite: true,
            },
            { parent: this, provider: args.provider },
        );
        this.fqdn = this.record.fqdn;

        this.registerOutputs({ fqdn: this.fqdn, record: this.record });
    }
}
