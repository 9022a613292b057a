// Luukku's web client. `npm run build` writes dist/, which Luukku serves under /ui
// (app/web.py). `npm run dev` serves it from Vite against a running API: set
// VITE_LUUKKU_API (e.g. http://127.0.0.1:8000) and start the API with
// ALLOWED_ORIGINS=http://127.0.0.1:5173 (README, "Web client").
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/ui/',
  plugins: [react()],
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
});
