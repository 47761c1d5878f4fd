import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './app.css';

// The browser's composition root: the app wires the OPFS storage adapter into the sync
// runtime (see runtime/boot.ts) and renders.
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
