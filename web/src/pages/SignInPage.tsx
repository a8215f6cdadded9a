/** Local sign-in form, and the SSO button when single sign-on is configured. */
import {
  Alert,
  Anchor,
  Button,
  Center,
  Divider,
  Paper,
  PasswordInput,
  Stack,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { call, errorMessage, records, setCsrfToken } from '../api.ts';
import type { Me } from '../types.ts';

export function SignInPage() {
  const client = useQueryClient();
  const options = useQuery({
    queryKey: ['auth-options'],
    queryFn: () => records<{ sso: boolean }>('/api/auth/options'),
  });
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = (await call<Me>('/auth/login', { method: 'POST', body: { email, password } })).records[0];
      setCsrfToken(me?.csrf_token ?? null);
      client.setQueryData(['me'], me ?? null);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={380}>
        <form onSubmit={submit} aria-labelledby="sign-in-title">
          <Stack>
            <Title order={1} size="h3" id="sign-in-title">
              Sign in to Secure Reporter
            </Title>
            {error && (
              <Alert color="red" role="alert">
                {error}
              </Alert>
            )}
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(event) => setEmail(event.currentTarget.value)}
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(event) => setPassword(event.currentTarget.value)}
            />
            <Button type="submit" loading={busy}>
              Sign in
            </Button>
            {options.data?.[0]?.sso && (
              <>
                <Divider label="or" labelPosition="center" />
                <Button component="a" href="/auth/sso" variant="default">
                  Sign in with single sign-on
                </Button>
              </>
            )}
            <Anchor href="/api/openapi.json" size="xs" c="dimmed">
              API description (OpenAPI)
            </Anchor>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
