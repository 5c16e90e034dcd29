import "./Details.css";

(window.__panelLog ||= []).push("react:lazy");

export default function Details({ conversation, features }) {
  const on = Object.keys(features || {}).filter((k) => features[k]);
  return (
    <section className="details">
      <h2>Details</h2>
      <p>
        {conversation.customer}: {conversation.subject}
      </p>
      <p className="details__features">Features on: {on.length ? on.join(", ") : "none"}</p>
    </section>
  );
}
