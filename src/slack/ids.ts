/** Shapes of Slack ids, in one place (settings, the policy file, and mentions we render). */
export const SLACK_USER_ID = /^[UW][A-Z0-9]{2,20}$/;
export const SLACK_USERGROUP_ID = /^S[A-Z0-9]{2,20}$/;
export const SLACK_CHANNEL_ID = /^[CGD][A-Z0-9]{2,20}$/;
export const SLACK_TEAM_ID = /^T[A-Z0-9]{2,}$/;
export const SLACK_APP_ID = /^A[A-Z0-9]{2,}$/;
/**
 * A user id typed bare in a `/guardduty` command (not as a <@mention>): real ids are 9–11
 * characters, and the longer minimum keeps short upper-case words from being read as a user.
 */
export const SLACK_USER_ID_TYPED = /^[UW][A-Z0-9]{6,20}$/;
