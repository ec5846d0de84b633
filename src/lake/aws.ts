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

/** What the SDK's logger middleware hands `info` after each command (its input and output are left out here). */
interface CommandLog { clientName?: string; commandName?: string }
const quiet = (): void => undefined;

/**
 * With `CBBD_AWS_COMMANDS=1`, one line on stderr per AWS command sent (`aws: S3Client PutObjectCommand`): which
 * calls a run makes, for an IAM policy or a cost estimate. Nothing else of the command (keys, bodies) is printed.
 */
const commandLogger = process.env.CBBD_AWS_COMMANDS === '1'
  ? {
      debug: quiet, warn: quiet, error: quiet,
      info: (entry: unknown) => {
        const { clientName, commandName } = (entry ?? {}) as CommandLog;
        if (commandName) process.stderr.write(`aws: ${clientName ?? '?'} ${commandName}\n`);
      },
    }
  : undefined;

export function awsClientConfig(settings: AwsSettings): {
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  logger?: { debug: (...a: unknown[]) => void; info: (...a: unknown[]) => void; warn: (...a: unknown[]) => void; error: (...a: unknown[]) => void };
} {
  return {
    ...(commandLogger && { logger: commandLogger }),
    region: settings.region,
    ...(settings.endpoint && { endpoint: settings.endpoint, forcePathStyle: true }),
    ...(settings.credentials && { credentials: { ...settings.credentials } }),
  };
}
