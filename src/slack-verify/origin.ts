/**
 * Where a Slack request says it comes from: workspace(s), enterprise, app and channel, read from
 * the body as Slack sends it (the shapes differ per kind). Pure; Bolt's own `context.teamId` is
 * no help here, since with a single bot token Bolt fills it from our own auth.test.
 */
export type RequestKind = 'event' | 'command' | 'interaction';

export interface RequestOrigin {
  kind: RequestKind;
  /** Every workspace id the request names (the workspace, the user's home workspace…). */
  teamIds: string[];
  enterpriseIds: string[];
  appId?: string;
  /** The channel of a command or interaction; absent for modals and App Home. */
  channelId?: string;
  userId?: string;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function originOf(body: unknown): RequestOrigin {
  const b = obj(body) ?? {};
  const kind: RequestKind = b.type === 'event_callback' ? 'event' : typeof b.command === 'string' ? 'command' : 'interaction';
  const team = obj(b.team);
  const user = obj(b.user);
  const enterprise = obj(b.enterprise);
  const auth = Array.isArray(b.authorizations) ? obj(b.authorizations[0]) : undefined;
  const view = obj(b.view);
  const teamIds = [str(b.team_id), str(team?.id), str(user?.team_id), str(auth?.team_id), str(view?.app_installed_team_id)];
  const enterpriseIds = [str(b.enterprise_id), str(enterprise?.id), str(team?.enterprise_id), str(auth?.enterprise_id)];
  const channelId =
    kind === 'command' ? str(b.channel_id) : kind === 'interaction' ? (str(obj(b.channel)?.id) ?? str(obj(b.container)?.channel_id)) : undefined;
  const userId = str(user?.id) ?? str(b.user_id) ?? str(obj(b.event)?.user);
  return {
    kind,
    teamIds: [...new Set(teamIds.filter((x): x is string => x !== undefined))],
    enterpriseIds: [...new Set(enterpriseIds.filter((x): x is string => x !== undefined))],
    ...(str(b.api_app_id) ? { appId: str(b.api_app_id)! } : {}),
    ...(channelId ? { channelId } : {}),
    ...(userId ? { userId } : {}),
  };
}
