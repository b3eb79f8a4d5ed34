import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { DashboardDeps } from '../ports.ts';

export interface RuleRoutesOptions {
  rules: NonNullable<DashboardDeps['rules']>;
}

/** GET /api/rules: what the control room is alerted on, as declared (any signed-in role). */
export const ruleRoutes: FastifyPluginAsyncTypebox<RuleRoutesOptions> = async (app, { rules }) => {
  app.get('/rules', async () => rules());
};
