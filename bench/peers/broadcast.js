// A minimal broadcast server on Node.js with the `ws` package: every frame a client sends goes
// to every other client, and the sender gets a small ack. The peer for fan-out throughput.
//   node broadcast.js PORT
'use strict';
const { WebSocketServer, WebSocket } = require('ws');
const port = Number(process.argv[2]);
const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    const text = data.toString();
    const id = text.slice(7, 23);  // {"id":"<16 chars>"
    for (const client of wss.clients) {
      if (client !== ws && client.readyState === WebSocket.OPEN) client.send(text, { binary: isBinary });
    }
    ws.send('{"ack":"' + id + '"}');
  });
});
