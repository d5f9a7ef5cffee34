export declare const SECRET: string;
export declare const INSERT_EVENT: string;
export declare function sign(rawBody: string | Buffer): string;
export declare function signatureMatches(rawBody: Buffer, header: unknown): boolean;
