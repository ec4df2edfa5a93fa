// Web Push opt-in for this device, on /portal/notifications. Without service workers or the Push API the page
// keeps its explanation visible and the device list still works (plain forms).
(() => {
  const box = document.getElementById("push-device");
  if (!box || !("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) return;
  const unsupported = document.getElementById("push-unsupported");
  if (unsupported) unsupported.hidden = true;
  box.hidden = false;
  const status = document.getElementById("push-status");
  const on = document.getElementById("push-subscribe");
  const off = document.getElementById("push-unsubscribe");
  const say = (text) => { status.textContent = text; };

  // The VAPID public key arrives base64url; subscribe() wants its bytes.
  const keyBytes = (text) => {
    const base64 = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  };
  const post = (url, body) => fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": box.dataset.csrf },
    body: JSON.stringify(body),
  });
  const ready = () => navigator.serviceWorker.register("/sw.js").then(() => navigator.serviceWorker.ready);
  const chosen = () => Array.from(box.querySelectorAll('input[name="push_event"]:checked')).map((input) => input.value);

  ready().then((registration) => registration.pushManager.getSubscription()).then((subscription) => {
    off.hidden = !subscription;
    if (subscription) say("This device gets push notifications. Turning on again saves the choices above for it.");
  }).catch(() => {});

  on.addEventListener("click", async () => {
    try {
      on.disabled = true;
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        say("Notifications are blocked for this site. Allow them in the browser's site settings, then try again.");
        return;
      }
      const registration = await ready();
      const subscription = (await registration.pushManager.getSubscription())
        || await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(box.dataset.vapidKey) });
      const body = subscription.toJSON();
      body.events = chosen();
      const response = await post(box.dataset.subscribe, body);
      if (!response.ok) throw new Error("the server answered " + response.status);
      window.location.reload();
    } catch (error) {
      say("Could not turn on push notifications: " + error.message);
    } finally {
      on.disabled = false;
    }
  });

  off.addEventListener("click", async () => {
    try {
      const registration = await ready();
      const subscription = await registration.pushManager.getSubscription();
      if (subscription) {
        await post(box.dataset.unsubscribe, { endpoint: subscription.endpoint }).catch(() => {});
        await subscription.unsubscribe();
      }
      window.location.reload();
    } catch (error) {
      say("Could not turn off push notifications: " + error.message);
    }
  });
})();
