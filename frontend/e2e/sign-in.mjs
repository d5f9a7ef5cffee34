// Signing in through the console's real login page, for the browser e2e tests.
//
// run.mjs starts the app with ADMIN_EMAIL/ADMIN_PASSWORD (so the first admin exists with a known
// password) and hands the same pair to the tests as E2E_ADMIN_EMAIL/E2E_ADMIN_PASSWORD.

/** The bootstrap admin of the app under test. */
export function adminCredentials() {
  const email = process.env.E2E_ADMIN_EMAIL;
  const password = process.env.E2E_ADMIN_PASSWORD;
  if (!email || !password) {
    throw new Error(
      'E2E_ADMIN_EMAIL / E2E_ADMIN_PASSWORD are not set; run the suite with `node frontend/e2e/run.mjs`',
    );
  }
  return { email, password };
}

/** Fills and submits the login form on the page that is showing it (nothing else). */
export async function submitLoginForm(page, { email, password }) {
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/**
 * Opens `path` (default: the login page); a signed-out visitor is sent to the login page, signs
 * in there and is taken back to `path` (or to the live feed). Resolves once the console has left
 * the login page, i.e. the sign-in worked.
 */
export async function signIn(page, baseUrl, credentials = adminCredentials(), { path = '/login' } = {}) {
  await page.goto(`${baseUrl}${path}`);
  await submitLoginForm(page, credentials);
  await page.waitForURL((url) => url.pathname !== '/login');
}

/**
 * An access token from `POST /api/auth/login` for clients outside the browser (the Socket.IO
 * handshake test). `tokenDelivery: 'body'`: no cookie, the refresh token comes back in the body.
 */
export async function apiAccessToken(baseUrl, credentials = adminCredentials()) {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...credentials, tokenDelivery: 'body' }),
  });
  if (res.status !== 200) {
    throw new Error(`signing in through the API answered ${res.status}: ${await res.text()}`);
  }
  const { accessToken } = await res.json();
  return accessToken;
}
