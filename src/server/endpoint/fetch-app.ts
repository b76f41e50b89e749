/**
 * A web-standard app, as the public declarations describe the handler's and the sandbox's Hono apps:
 * structural, so that a project type-checks without 'hono' installed (it is bundled, not a dependency).
 * In a Hono app, mount one by its fetch: `app.all('/api/amazon-pay/*', (c) => amazonPay.fetch(c.req.raw))`
 * with `basePath: '/api/amazon-pay'`.
 */
export interface FetchApp {
  fetch(request: Request, ...rest: any[]): Response | Promise<Response>;
}
