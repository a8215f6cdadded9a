import { Center, Loader } from '@mantine/core';
import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router-dom';
import { Layout } from './components/Layout.tsx';
import { ErrorState, LoadingState } from './components/States.tsx';
import { AccessGroupsPage } from './pages/admin/AccessGroupsPage.tsx';
import { AuditPage } from './pages/admin/AuditPage.tsx';
import { ClustersPage } from './pages/admin/ClustersPage.tsx';
import { ConnectionsPage } from './pages/admin/ConnectionsPage.tsx';
import { GroupListsPage } from './pages/admin/GroupListsPage.tsx';
import { TokensPage } from './pages/admin/TokensPage.tsx';
import { UsersPage } from './pages/admin/UsersPage.tsx';
import { BundlePage } from './pages/editor/BundlePage.tsx';
import { UpdatesPage } from './pages/editor/UpdatesPage.tsx';
import { HomePage } from './pages/HomePage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { ReportPage } from './pages/ReportPage.tsx';
import { SchedulesPage } from './pages/SchedulesPage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { useMe } from './session.ts';

// CodeMirror is only needed by editors: loaded on first use.
const EditorPage = lazy(async () => ({ default: (await import('./pages/EditorPage.tsx')).EditorPage }));

export function App() {
  const me = useMe();
  if (me.isPending) {
    return (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (me.isError) return <ErrorState error={me.error} />;
  if (!me.data) return <SignInPage />;
  return (
    <Layout me={me.data}>
      <Suspense fallback={<LoadingState />}>
        <Routes>
          <Route path="/" element={<HomePage />} />
          <Route path="/reports/new" element={<EditorPage />} />
          <Route path="/reports/:slug/edit" element={<EditorPage />} />
          <Route path="/reports/:slug" element={<ReportPage me={me.data} />} />
          <Route path="/schedules" element={<SchedulesPage />} />
          <Route path="/updates" element={<UpdatesPage />} />
          <Route path="/bundle" element={<BundlePage />} />
          <Route path="/admin/connections" element={<ConnectionsPage />} />
          <Route path="/admin/clusters" element={<ClustersPage />} />
          <Route path="/admin/users" element={<UsersPage />} />
          <Route path="/admin/group-lists" element={<GroupListsPage />} />
          <Route path="/admin/access-groups" element={<AccessGroupsPage />} />
          <Route path="/admin/tokens" element={<TokensPage />} />
          <Route path="/admin/audit" element={<AuditPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </Suspense>
    </Layout>
  );
}
