import './shell/cspSafeLibraries';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './styles/theme.css';
import { App } from './App';
import { startStores } from './state/startStores';

// The transport feeds the stores before the first render, so views only read.
startStores();

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
