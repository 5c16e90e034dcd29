import { Component, lazy, Suspense } from "react";
import "./App.css";

const Details = lazy(() => import("./Details.jsx"));

const conversations = [
  { id: "c-1041", customer: "Ada Lovelace", subject: "Refund for order #5521", unread: 2 },
  { id: "c-1042", customer: "Grace Hopper", subject: "Cannot reset password", unread: 0 },
  { id: "c-1043", customer: "Alan Turing", subject: "Invoice address change", unread: 1 },
];

// A lazy chunk that fails to load (offline, or refused by its integrity)
// throws where it renders: React's docs put an error boundary around it, so
// the rest of the panel stays up.
class DetailsBoundary extends Component {
  state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  render() {
    return this.state.failed ? <p className="panel__loading">Details are unavailable.</p> : this.props.children;
  }
}

export default function App({ releaseId, apiUrl, features }) {
  return (
    <section className="panel" data-panel-framework="react">
      <header className="panel__header">
        <h1>React desk — release {releaseId}</h1>
        <p className="panel__api">API: {String(apiUrl)}</p>
      </header>
      <ul className="panel__conversations">
        {conversations.map((c) => (
          <li key={c.id} className="panel__conversation">
            <strong>{c.customer}</strong> <span>{c.subject}</span>
            {c.unread > 0 && <span className="panel__unread">{c.unread}</span>}
          </li>
        ))}
      </ul>
      <DetailsBoundary>
        <Suspense fallback={<p className="panel__loading">Loading details…</p>}>
          <Details conversation={conversations[0]} features={features} />
        </Suspense>
      </DetailsBoundary>
    </section>
  );
}
