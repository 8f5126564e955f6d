import { AppError } from '../../errors.js';
import type { Finding } from '../../findings/model.js';
import { refuseSampleFinding } from '../../findings/sample.js';
import { INSTANCE_ID_RE } from '../../aws/ec2/instance.js';

/**
 * The EC2 instance a finding is about: the instance itself (Instance cards: an EC2 instance or
 * an EKS node) or the host of a standalone container (Container cards). Sample findings carry
 * fake ids and are refused before any AWS call.
 */
export function instanceIdOf(f: Finding): string {
  refuseSampleFinding(f);
  const id = f.instance?.instanceId;
  if (!id || !INSTANCE_ID_RE.test(id)) throw new AppError('action_invalid', 'The finding names no EC2 instance id, so there is no instance to act on.');
  return id;
}

export const hasInstance = (f: Finding) => (f.kind === 'Instance' || f.kind === 'Container') && !!f.instance?.instanceId;
