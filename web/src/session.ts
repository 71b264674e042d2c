// Who is signed in, shared by the shell and the pages.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { User } from './api';

export interface Session {
  user: User;
  // Fetches /api/v1/me again (after connecting or disconnecting GitLab).
  refresh: () => Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}
