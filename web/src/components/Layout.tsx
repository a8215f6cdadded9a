/** The frame of every signed-in page: header with sign-out, navigation by role, responsive. */
import { AppShell, Burger, Button, Group, NavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Link, useLocation } from 'react-router-dom';
import type { Me } from '../records.ts';
import { useSignOut } from '../session.ts';

const ADMIN_LINKS = [
  ['/admin/connections', 'Connections'],
  ['/admin/clusters', 'Clusters'],
  ['/admin/users', 'Users'],
  ['/admin/group-lists', 'Group lists'],
  ['/admin/access-groups', 'Access groups'],
  ['/admin/tokens', 'Tokens'],
  ['/admin/audit', 'Audit'],
] as const;

export function Layout({ me, children }: { me: Me; children: React.ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const signOut = useSignOut();
  const link = (to: string, label: string) => (
    <NavLink
      key={to}
      component={Link}
      to={to}
      label={label}
      active={location.pathname === to}
      onClick={close}
    />
  );
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
            <Title order={1} size="h4">
              <Link to="/" style={{ color: 'inherit', textDecoration: 'none' }}>
                Secure Reporter
              </Link>
            </Title>
          </Group>
          <Group wrap="nowrap" gap="sm">
            <Text size="sm" visibleFrom="xs" data-testid="signed-in-as">
              {me.email ?? me.name}
            </Text>
            {me.kind === 'user' && (
              <Button variant="default" size="xs" onClick={() => signOut.mutate()}>
                Sign out
              </Button>
            )}
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        {link('/', 'Reports')}
        {link('/schedules', 'My schedules')}
        {me.is_editor || me.is_admin ? link('/reports/new', 'New report') : null}
        {me.is_editor || me.is_admin ? link('/updates', 'Updates') : null}
        {me.is_editor || me.is_admin ? link('/bundle', 'Import / export') : null}
        {me.is_admin && (
          <>
            <Text size="xs" c="dimmed" mt="md" mb={4} px="sm" tt="uppercase">
              Admin
            </Text>
            {ADMIN_LINKS.map(([to, label]) => link(to, label))}
          </>
        )}
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
