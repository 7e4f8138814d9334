// ruleid: js-secret-literal
const apiKey = "fake-api-key-for-the-rule-test-0000";
// ok: js-secret-literal
const region = "eu-west-1";

const client = createClient({
  host: "db",
  // ruleid: js-secret-literal
  password: "fake-object-password",
});

// ruleid: js-secret-env-fallback
const secret = process.env.SESSION_SECRET || "fake-fallback-secret";
// ok: js-secret-env-fallback
const port = process.env.PORT || "8080";
// ok: js-secret-literal
const token = process.env.API_TOKEN;
