import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import '../shared/app.css';

// StrictMode on purpose: useMinch keeps one socket per mounted component
// although React mounts, unmounts and remounts every effect in development.
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
