/** The lifecycle days every copy of the model store applies, S3 and GCS alike. */
export interface ModelStoreLifecycleDays {
    /** Days a noncurrent object version is kept (>= 1). */
    noncurrentVersionDays: number;
    /** Days after which an unfinished multipart upload is aborted (>= 1). */
    abortIncompleteUploadDays: number;
}

/** What is wrong with a bucket's lifecycle days, named as its args name them; empty when both are whole days >= 1. */
export function lifecycleDaysProblems(args: ModelStoreLifecycleDays): string[] {
    const problems: string[] = [];
    if (!Number.isInteger(args.noncurrentVersionDays) || args.noncurrentVersionDays < 1) {
        problems.push(`noncurrentVersionDays must be a whole number of days >= 1, got ${args.noncurrentVersionDays}`);
    }
    if (!Number.isInteger(args.abortIncompleteUploadDays) || args.abortIncompleteUploadDays < 1) {
        problems.push(`abortIncompleteUploadDays must be a whole number of days >= 1, got ${args.abortIncompleteUploadDays}`);
    }
    return problems;
}
