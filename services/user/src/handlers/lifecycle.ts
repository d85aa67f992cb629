import {
  checkEmail,
  confirmPasswordReset,
  listActivities,
  mintHandoff,
  redeemHandoff,
  requestPasswordReset,
  setPassword,
  tokenInfo,
} from '../lifecycle/operations.ts';
import type { HandlerDeps, Route } from './types.ts';

/**
 * The account lifecycle routes of `/api/v1/auth` (lifecycle/operations.ts), with the original's
 * statuses: 202 for the reset request, 200 otherwise.
 */
export function lifecycleRoutes(deps: HandlerDeps): Route[] {
  return [
    {
      method: 'POST',
      url: '/password-reset/request',
      rateLimited: 'passwordReset',
      handle: async (request) => ({ status: 202, body: requestPasswordReset(deps, request.body, request.throttled) }),
    },
    {
      method: 'POST',
      url: '/password-reset/confirm',
      handle: async (request) => ({ status: 200, body: await confirmPasswordReset(deps, request.body) }),
    },
    {
      method: 'POST',
      url: '/set-password',
      handle: async (request) => ({ status: 200, body: await setPassword(deps, request.body, request.client) }),
    },
    {
      method: 'GET',
      url: '/token-info',
      rateLimited: 'tokenInfo',
      handle: async (request) => ({ status: 200, body: await tokenInfo(deps, request.query) }),
    },
    {
      method: 'POST',
      url: '/handoff/mint',
      handle: async (request) => ({ status: 200, body: await mintHandoff(deps, request.authorization, request.body) }),
    },
    {
      method: 'POST',
      url: '/handoff/redeem',
      handle: async (request) => ({ status: 200, body: await redeemHandoff(deps, request.body, request.client) }),
    },
    {
      method: 'POST',
      url: '/check-email',
      rateLimited: 'checkEmail',
      handle: async (request) => ({ status: 200, body: await checkEmail(deps, request.body) }),
    },
    {
      method: 'GET',
      url: '/activities',
      handle: async () => ({ status: 200, body: await listActivities(deps) }),
    },
  ];
}
