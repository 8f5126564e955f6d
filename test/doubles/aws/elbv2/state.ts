/**
 * ELBv2 target groups and their registrations. A registration is (id, port): the same instance
 * can be registered on several ports. Deregistering puts it in `draining` for the group's
 * deregistration delay (measured on the injected clock), after which it disappears.
 */
import type { IdGenerator } from '../ids.js';

export interface TargetRegistration {
  id: string;
  port: number;
  availabilityZone?: string;
  state: 'initial' | 'healthy' | 'unhealthy' | 'draining' | 'unused';
  /** Injected-clock ms when draining ends. */
  drainingUntil?: number;
}

export interface TargetGroupRecord {
  arn: string;
  name: string;
  protocol: string;
  port: number;
  vpcId: string;
  targetType: 'instance' | 'ip' | 'lambda' | 'alb';
  loadBalancerArns: string[];
  deregistrationDelaySeconds: number;
  targets: TargetRegistration[];
}

export class Elbv2State {
  readonly targetGroups = new Map<string, TargetGroupRecord>();
  /** Is this instance known and in which VPC? (RegisterTargets checks.) Wired in index.ts. */
  instanceVpc?: (instanceId: string) => string | undefined;

  constructor(private readonly env: { region: string; accountId: string; ids: IdGenerator; now: () => number }) {}

  now(): number {
    return this.env.now();
  }

  addTargetGroup(input: {
    name: string;
    port?: number;
    protocol?: string;
    vpcId: string;
    targetType?: TargetGroupRecord['targetType'];
    loadBalancer?: string | false;
    deregistrationDelaySeconds?: number;
  }): TargetGroupRecord {
    const arn = `arn:aws:elasticloadbalancing:${this.env.region}:${this.env.accountId}:targetgroup/${input.name}/${this.env.ids.hex(16)}`;
    const lbName = input.loadBalancer === false ? undefined : (input.loadBalancer ?? `${input.name}-alb`);
    const tg: TargetGroupRecord = {
      arn,
      name: input.name,
      protocol: input.protocol ?? 'HTTP',
      port: input.port ?? 80,
      vpcId: input.vpcId,
      targetType: input.targetType ?? 'instance',
      loadBalancerArns: lbName
        ? [`arn:aws:elasticloadbalancing:${this.env.region}:${this.env.accountId}:loadbalancer/app/${lbName}/${this.env.ids.hex(16)}`]
        : [],
      deregistrationDelaySeconds: input.deregistrationDelaySeconds ?? 300,
      targets: [],
    };
    this.targetGroups.set(arn, tg);
    return tg;
  }

  /** Registers (or re-registers) id:port; healthy at once unless told otherwise. */
  register(arn: string, id: string, port?: number, opts: { state?: TargetRegistration['state']; availabilityZone?: string } = {}): TargetRegistration {
    const tg = this.targetGroups.get(arn);
    if (!tg) throw new Error(`ELBv2 double: no target group ${arn}`);
    const p = port ?? tg.port;
    const existing = tg.targets.find((t) => t.id === id && t.port === p);
    if (existing) {
      if (existing.state === 'draining') {
        existing.state = opts.state ?? 'initial';
        delete existing.drainingUntil;
      }
      return existing;
    }
    const reg: TargetRegistration = {
      id,
      port: p,
      state: opts.state ?? 'healthy',
      ...(opts.availabilityZone ? { availabilityZone: opts.availabilityZone } : {}),
    };
    tg.targets.push(reg);
    return reg;
  }

  /** Deregisters id:port (port defaults to the group's): draining, then gone. Unknown targets: no-op. */
  deregister(arn: string, id: string, port?: number): void {
    const tg = this.targetGroups.get(arn);
    if (!tg) return;
    const p = port ?? tg.port;
    const t = tg.targets.find((x) => x.id === id && x.port === p);
    if (!t || t.state === 'draining') return;
    t.state = 'draining';
    t.drainingUntil = this.now() + tg.deregistrationDelaySeconds * 1000;
  }

  /** Drops registrations whose draining ended (called before every read). */
  expire(tg: TargetGroupRecord): void {
    const t = this.now();
    tg.targets = tg.targets.filter((x) => x.state !== 'draining' || (x.drainingUntil ?? 0) > t);
  }

  registrationsOf(id: string): { targetGroup: TargetGroupRecord; target: TargetRegistration }[] {
    const out: { targetGroup: TargetGroupRecord; target: TargetRegistration }[] = [];
    for (const tg of this.targetGroups.values()) {
      this.expire(tg);
      for (const t of tg.targets) if (t.id === id) out.push({ targetGroup: tg, target: t });
    }
    return out;
  }
}
