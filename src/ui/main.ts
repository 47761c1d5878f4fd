// The app's composition root. Until the notes UI lands (issue "The notes app"), this page
// only says what the product is, so `npm start` has something true to serve.
const root = document.getElementById('root');
if (root) {
  root.innerHTML = `
    <main style="font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
      <h1>Notes</h1>
      <p>Local-first collaborative notes. Your notes live on your device and sync directly
      between the people you share them with.</p>
      <p role="status" aria-label="Sync status">The notes app is not built yet: the sync runtime is.</p>
    </main>`;
}
