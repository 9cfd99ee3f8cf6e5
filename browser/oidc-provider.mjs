// A real OpenID provider on loopback for the browser test of boj's OpenID Connect sign-in: the
// `oidc-provider` package (certified by the OpenID Foundation) with its development sign-in pages,
// where any login name is accepted and becomes the subject (`sub`) of the ID token.
// Usage: node oidc-provider.mjs PORT REDIRECT_URI   (the client secret comes from
// BOJ_OIDC_CLIENT_SECRET). Prints "ready" when it listens.
import Provider from 'oidc-provider';
import { randomBytes } from 'node:crypto';

const [port, redirectUri] = process.argv.slice(2);
const secret = process.env.BOJ_OIDC_CLIENT_SECRET;
if (!port || !redirectUri || !secret) {
  console.error('usage: BOJ_OIDC_CLIENT_SECRET=… node oidc-provider.mjs PORT REDIRECT_URI');
  process.exit(2);
}

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'boj',
    client_secret: secret,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  // PKCE is required of every client.
  pkce: { required: () => true },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username'] },
  // The claims asked for by scope go into the ID token itself, not only to the userinfo endpoint.
  conformIdTokenClaims: false,
  findAccount: async (_ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, preferred_username: id }),
  }),
  cookies: { keys: [randomBytes(32).toString('hex')] },
});
provider.listen(Number(port), '127.0.0.1', () => console.log('ready'));
