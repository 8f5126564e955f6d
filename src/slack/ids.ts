/** Shapes of Slack ids, in one place (settings, the policy file, and mentions we render). */
export const SLACK_USER_ID = /^[UW][A-Z0-9]{2,20}$/;
export const SLACK_USERGROUP_ID = /^S[A-Z0-9]{2,20}$/;
export const SLACK_CHANNEL_ID = /^[CGD][A-Z0-9]{2,20}$/;
