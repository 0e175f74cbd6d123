// Brings the reply.view() and cookie decorations of the registered Fastify plugins into types.
import '@fastify/view';
import '@fastify/cookie';
