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
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorMessage, recordsOf } from '../api.ts';
import { queryKeys } from '../query-keys.ts';
import { useSignIn } from '../session.ts';

export function SignInPage() {
  const signIn = useSignIn();
  const options = useQuery({
    queryKey: queryKeys.authOptions,
    queryFn: () => recordsOf(api.GET('/api/auth/options')),
  });
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  function submit(event: React.FormEvent) {
    event.preventDefault();
    signIn.mutate({ email, password });
  }

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={380}>
        <form onSubmit={submit} aria-labelledby="sign-in-title">
          <Stack>
            <Title order={1} size="h3" id="sign-in-title">
              Sign in to Secure Reporter
            </Title>
            {signIn.isError && (
              <Alert color="red" role="alert">
                {errorMessage(signIn.error)}
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
            <Button type="submit" loading={signIn.isPending}>
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
