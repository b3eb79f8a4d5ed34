import { currentUser } from './api.ts';
import { startApp } from './app.ts';
import { language } from './i18n.ts';
import { showLogin } from './login.ts';
import './styles.css';

async function main(): Promise<void> {
  document.documentElement.lang = language();
  const root = document.getElementById('root');
  if (!root) return;
  const me = (await currentUser()) ?? (await showLogin(root));
  window.__cityops = startApp(root, me);
}

void main();
