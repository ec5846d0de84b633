/**
 * Settings shared by every AWS client (S3, DynamoDB, Glue, Athena): the region, and an endpoint override for an
 * emulator (moto in tests), which also needs path-style S3 addressing. Credentials come from the SDK's usual chain
 * (environment, profile, task role) unless given, as the tests do for the emulator.
 */
export interface AwsSettings {
  readonly region: string;
  readonly endpoint?: string | undefined;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export function awsClientConfig(settings: AwsSettings): {
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string };
} {
  return {
    region: settings.region,
    ...(settings.endpoint && { endpoint: settings.endpoint, forcePathStyle: true }),
    ...(settings.credentials && { credentials: { ...settings.credentials } }),
  };
}
