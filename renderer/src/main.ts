/** Renderer entry: Vue + Pinia, styles, mount. */
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './app.vue';
import './styles.css';

createApp(App).use(createPinia()).mount('#app');
