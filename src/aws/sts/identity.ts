/** The app's own account: sts:GetCallerIdentity, read once at start (needs no IAM permission). */
import { GetCallerIdentityCommand, STSClient, type STSClientConfig } from '@aws-sdk/client-sts';

export function callerAccountReader(config: STSClientConfig): () => Promise<string> {
  return async () => {
    const sts = new STSClient(config);
    try {
      const out = await sts.send(new GetCallerIdentityCommand({}));
      if (!out.Account) throw new Error('GetCallerIdentity returned no account');
      return out.Account;
    } finally {
      sts.destroy();
    }
  };
}
