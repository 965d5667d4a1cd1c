Me dejé.
¿Por qué me parece?
Vamos a ver.
Escribe a Tom.
¿Tom fue Tom?
Le dije a Tom.
Le dije a Tom.
¡¡Sggggggggggágggggggggggggggggggggggggggggggggggggggg
¡¡Sggggggggggágggggggggggggggggggggggggggggggggggggggg
¿Qué es nuevo?
¿Qué es nuevo?
Se preparó.
Se preparó.
Se preparó.
Limen a Tom.
Convvlele a Tom.
¡¡¡Qué extraño!
¡¡¡Qué extraño!
Tengo vino.
Me gusta los gatos.
Estaba borracho.
Le pedí a Tom.
Estoy sorprendido.
Me está en mí.
Diggió adió.
Tom hizo que se ve.
Tom hizo que se ve.
Tom está enojado.
No importa nada.
No importa nada.
Necesito una pérdida.
Es mi vida.
La tarea terminó.
La tarea terminó.
¡¡Te veo pronto!
¡¡Te veo pronto!
¡¡Te veo pronto!
Esto es amor.
Pruecer esto.
Eres divertido.
Estás equivocado.
¿Estás ahí?
Por prisa, Tom.
Por prisa, Tom.
Me pareció salir.
Me pareció salir.
Siento sentirlo.
Tengo frío.
Tengo frío.
Tengo que expresir.
Llamaré a Tom.
Ahora estoy despierto.
Es dos y media.
¡Mememen esto.
¡Mememen esto.
Empentadadadadadle.
Empentadadadadadle.
Esperad un momento.
Esperad un momento.
¿Qué hice?
¿Quién está ausente?
Eres mi hijo.
Eres mi hijo.

Él caminó a casa.
Me mura.
Me mura.
Yo lo hago.
Me encantan.
Haré laena.
Haré laena.
¿Es un oso?
No era eso.
Salgan mañana.
Salgan mañana.
Salgan mañana.
Salgan mañana.
Salgan mañana.
Ellos están escondiendo.
Tom es perfecto.
Tom ama a los perros.
El curso depuesto.
El curso depuesto.
El curso depuesto.
Usted es un compente.
Cútate a la mano.
Él llegó a la cama.
Es dolor de dolor.
Es dolor de dolor.
Él estaba hablando.
¿Cómo está todo?
¿Cómo está tu frío?
Yo apunté todo.
Tuve que renunciar.
Necesito una ducha.
Lo veo.
Quería llorar.
Estaba en Boston.
¿Es un río?
¿Es un río?
Nunca te olvides.
Nunca me dejes ir.
Abre los libros.
Esto es perfecto.
Tom se cayó.
Tom es mi ingenuo.
Tom necesitaba que Mary.
No estamos solo.
No estamos solo.
No tenemos tiempo.
¿Qué robaron?
¿Cuándo podemos comer?
Deberías descansar.
¿Eres un examen?
¿Te gusta golf?
No me engañes.
¡Sganganganle a Tom.
Me llamé a Tom.
Él está viejo.
Él es tu padre.
Él es tu padre.
Me encantan mi padre.
Yo solía estar gordo.
Fue lo posible.
Fue culpa.
Fue maravilloso.
Fue maravilloso.
Es con facilidad.
Vamos a almorzar.
Ella empezó a llorar.
Ella empezó a llorar.
Ella no está ahí.
La línea está ocupada.
El gemno sonrió.
Necesitamos vuelta.
Somos medida.
¿Cuándo se acabó?
¿Cuándo se acabó?
¿Cuándo se acabó?
¿Tienes una bolsa?
¿Cómo debería saber?
Puedo comer insectos.
No puedo permitir ahora.
Ni siquiera le lo lo lo vi.
Me levanté a las siete.
No tengo amigos.
Me quedé las escaleras.
Yo lo amaba.
Quiero leerlo.
Agradezco.
Hoy hace viento.
Vamos al fútbol.
Mis ojos son los ojos.
Ella no puede hacerlo.
Es nuestro secreto.
Ellos me revelaron.
Ellos pagó bien a Tom.
Este libro es bueno.
Este libro es ella.
Tom casi sonrió.
Tom condujo trabajar.
Tom se bajó.
Tom dejó bien.
¿Qué estoy bien?
Eres tan estúpido.
Puedes hablar aquí.
Se correr muy rápido.
Eres un buen hombre.
Eres un buen hombre.
Eres demasiado modo.
¿Te acuerdas?
Las reglas no está existida.
Él trabaja en un banco.
Él vendrá al mediodía.
No está ahí.
Compré una corbata roja.
No puedo creer que eso.
No puedo creer que eso.
Odio mi computador.
Sé que Tom.
Me gusta tu jardín.
Quiero una mesa.
Está empezado a nuevo.
Está empezado a nuevo.
Está empezado a nuevo.
Mi habitación está en la habitación.
No ha estado herido.
Ella odió a los perros.
Es divertido.
Es divertido.
Eso es más fuerte.
Eso es más fuerte.
Eso es más fuerte.
La multitud está vacía.
Las más alto son alto.
Todos pueden conducir.
Esto es mejor.
Esto es mejor.
Esta habitación está tranquilo.
Tom tiene tres hijos.
Tom no ha cambiado.
Tom no ha cambiado.
Tom es unroe.
Tom quiere esto.
Tom ayudará a Mary.
Salmos de comida.
Salmos de comida.
¿Quién puede evitarlo?
¿De quién está este libro?
¿Por qué no funcionó?
Debes mí.
Todo está en la fiesta.
¿Puedo ver otra vez?
¿Él puede hablar francés?
¿Él puede hablar francés?
¿Puedes conducir tu esposa?
¿Puedes firgar aquí?
¿Tienes una solicición?
¿Te gusta naranjas?
¿Te gusta naranjas?
¿Te gusta naranjas?
¿Te gusta naranjas?
¿Quieres descansar?
Sal de mí.
Me dio una manzana.
Él puede haber dicho tanto.
¿Cómo suena eso?
No pude salir.
No le dije a Tom.
No soy culpa.
No soy tan rica.
Es una buena cámara.
Es un poco frío.
Es un poco frío.
Es un poco frío.
Nadie murió.
Nadie murió.
Nadie murió.
Cúga tus mayores.
Cúga tus mayores.
Ella dejó de fumar.
Ellos conocen algo.
Ellos conocen algo.
Ellos fue en metro.
Esta es el diario.
Tom puso el cabello.
Tom está haciendo ahora.
Tom está muy tranquilo.
Tom levantó la mano.
Tom dice que está cansado.
¿De quién está este dinero?
¿Por qué vida es tan duro?
Me decepcionas.
Hoy ves un vistazo hoy.
Hoy ves un vistazo hoy.
Hoy ves un vistazo hoy.
¿Qué podría ser?
¿Puedes nadar?
Hazlo así.
Él no es un estadounidense.
Él habló muy fuerte.
Él era un hombre honesto.

Su sangre está de sangre.
Hordaramente lo que ganamos.
Ayer desperté de un sueño.
Tuve una mañana ocupada.
Ojalá yo fuera un pájaro.
Voy a verte.
He hecho mucho.
Ella planó su camisa.
Ella siempre tiene miedo.
El parque está romper.
El refrigero está aquí.
Las ventanas están abierta.
Ellos odian.
Esta solución es la solución.
Esta carne huele malo.
Ayer estaba corriendo.
Tom odia en realidad.
Tom dejó la mano.
¿Qué era Boston?
Las mujeres trabajaron en casa.
Estás bienvenida aquí.
Vas a avergonzado a Tom.
¿Estás cansado?
¿Estás durmiendo, Tom?
¿Tom sabe tu padre?
Él no es un hombre.
¿Cómo se cortó el asunto?
No tengo hijos.
No veo a Tom.
Tengo una bicicleta mayor.
Me gusta tu enfermedad.
Debo mont en bicicleta.
Necesito otra oportunidad.
Lo vi en el parque.
Lo vi en el parque.
Voy al lunes.
El dinero dejó toda la puerta.
No lo diría eso.
Nadie sabe su nombre.
Abre la puerta, por favor.
Abre la puerta, por favor.
Dime lo que dijo Tom.
Dime lo que dijo Tom.
El final llegó a repente.
El frío era rápido.
Los hombres estaban falso.
Tom me pidió que lo hiciera.
Tom levantó las manos.
Tom sabe esas reglas.
Tom me dejó más opción.
Tom perdió sus llaves.
Tom no mostró nada.
Tom vendió su auto.
Tom fue a trabajar.
Tom es un niño muy alto.
Nos acuerdo de acuerdo.
Estamos haciendo algo.
¿Dónde estaba el error?
¿Dónde está el presidente?
Te merejo un regalo.
¿Quieres ser rico?
¿Quieres ser rico?
¿Quieres ser rico?
¿Es eso asunto?
Él se paró de nosotros.
Él está un empleado.
Él está un empleado.
No hice nada.
No tengo ganas de aquí.
No quiero cambiar.
Me perdí la nieve.
Sé toda la detalles.
Vivo muy cerca de aquí.
Me encantan viajar solo.
Necesito dolor.
Creo que Tom le gusta Mary.
Me está haciendo nervioso.
No es una coincidencia.
Kelta antes de entrar.
Kelta antes de entrar.
Kelta antes de entrar.
Kelta antes de entrar.
Mi sueño ha venido realidad.
Mi sueño ha venido realidad.
Ahora tengo que encontrar a Tom.
Ella no parece feliz.
Ella es una mujer rica.
Ella nació el año pasado.
Llate las llaves a Tom.
Era dos años.
Era dos años.
Esa es por qué llegó aquí.
La pelota puso la cerca.
El juego está casi.
El traje de la mano.
Estas guantes de Tom.
Esta música es terrible.
Esta habitación está muy frío.
Esta hora es diferente.
Tom vino a visitar a Mary.
Necesitamos un poco azúcar.
Lo que Tom hizo hizo hizo hizo.
¿Qué hiciste tan enojado?
¿Qué hiciste tan enojado?
¿Te gustaría cantar?
No puedes esconder de mí.
No puedes esconder de mí.
¿Realmente estás canadiense?




¿Quieres fruta?
¿Quieres fruta?
No comes entre mí.
Se quedó en su auto.
Se quedó en su auto.
Él está acostumbrado a trabajar.
Él nunca parece pensar.
Voy a ser como Tom.
Te traje de comida.
No entiendo.
No quiero regalar.
No quiero regalar.
Supongo que me parece mal.
Tengo dos hermanos.
No he terminado esto.
Creo que estás equivocado.
Creo que estás equivocado.
Pensé que era lunes.
Quiero en mi oficina.
Quiero comprar un auto nuevo.
Es casi las seis.
Hagamos otra vez.
Hagamos otra vez.
Tal vez deberías escuchar.
Quédate por un momento.
El aire está en el centro.
La educación se puso el lunes.
Estas llaves no son míos.
No hace bien.
No hace bien.
Hoy tuve una prueba.
Tom no puede decirle todavía todavía todavía.
Tom no quería esperar.
Tom es un estudiante grande.
Tom está bien en la mano.
Tom esperó la cabeza.
Tom hizo las flores.
Vamos a casa en casa.
Lo que hiciste es imal.
¿Por qué no sabía esto?
Debes ser más grande.
Debes ser más grande.
Debes ser más grande.
Debes ser más grande.
Debes ser más grande.
Debes ser más grande.
Eres el problema, Tom.
Lo cierto, Tom es mi jefe.
¿Has visto a nadie?
¿Tienes hijos?
El mar es un número.
Todo el hombre tiene culpa.
Él es responsable.
Es nuestro profesor.
No puedo esconder mis sentimientos.
No puedo caminar más.
Me sentí mucho relajo.
Tengo un mentiroso.
Sabía que Tom estar aquí.
Aprendí mucho de ti.
Necesito algo pequeño pequeño.
Me pregunto por qué hizo eso.
¿Es imposible?
¿Hoy está abierto?
No estaba tanis en allí.
Es el menos que podemos hacerlo.
Por supuesto recuerdo.
Por favor, encontrar la solución.
¡Me duele si llueve.
El niño cayó la cama.
El perro entró a la pelota.
La niña hizo la muñeca.
Tom y Mary están bailando.
Tom es un niño sensible.
Estamos bajo el mando.
¿Cuándo era tu primer amor?
¿Cuándo aprendas?
Puedes tener el día libre.
Tu taza está en la mesa.
¿Me estás equivocando?
¿Ya no estás en dolor?
Llama un médico inmediatamente.
¿Puedo hablar al médico?
Venga a las diez.
No hables de los demás.
Todo el mundo adora ese lado.
¿Alguna vez has visto una dieta?
Él dice ser un genio.
Él dice ser un genio.
A él le gusta la mano.
A él le gusta la mano.
Te traje de café.
No puedo caminar lejos.
No veo la televisión.
Mañana me quedaré en casa mañana.
No voy a asistir.
Me gustaría visitarte.
Le daré algo.
Comparto con tu ayuda.
Comparto con tu ayuda.
No hace eso.
Está lloviendo esta noche.
Está lloviendo esta noche.
Tal vez vendrá mañana.
Ella podría saber la respuesta.
Ella dijo algo para él.
Ella solía vivir cerca de él.
Ella fue humano por él.
Eso puede haber sido verdad.
La isla es desesperada.
Ellos viven en Ágggggit.
Ellos se quedaron en diez barco.
Tom siente mucho mejor mejor.
Tom es mucho mejor mejor.
Tom está tan saludable como nunca.
Tom tiene mayor para votar.
Tom quiere una oficina grande.
Tom es excelente.
Tenemos un buen momento.
Ya no usamos.
 aprender francés en la escuela.
¿Cuál es tu palabra favorita?
Estás en este caso.
Has hecho un trabajo perfecto.
¿Puedes limpiar tu dormitorio?
¿Tienes un buen vuelo?
¿Recibiste todo?
El abogado se quitó la boca.
Elffno está bien.
Él vivió en Sinin pienso.
Él vivió en Sinin pienso.
Él tenía 10 dólares.
No sé qué es peor.
No tengo secreto.
Acabo de ver a Tom.
Quiero decirte una historia.
Soy un ciudad de mundo.
Estoy buscando mis amigos.
No voy a trabajar eso.
No voy a trabajar eso.
He oído mucho por ti.
He oído sobre ti.
Mi cumpleaños está pronto.
Mi sueño es ir a Japón.
Mi trabajo está enseñando inglés.
Mi trabajo está enseñando inglés.
Sggate como quieres.
Sggate como quieres.
Ella tiene un hermano en Tokio.
Ella está en su edad.
Esa comida está duro.
Hay comida en la espalda.
No hay nada que hacer.
Ellos se sonrieron al otro lado.
Ellos están en un grupo.
Este auto es fácil para mano.
Es el único comienzo.
Es el único comienzo.
Es el único comienzo.
Es el único comienzo.
Tom no había considerado eso.
Tom es su peor peor peor enemigo.
Tom habla con su perro.
Tom estaba arrestando el lunes.
¿Qué estás preocupado?
¿Dónde está la estación?
¿Dónde está la estación?
No tienes que hacer eso.
Eres el amor de mi vida.
"¿Por favor, sentaba.
"¿Por favor, sentaba.
¿Con cuánto costará?
Llámame una vez.
Llámame una vez.
¿Puedes enseñarme a volar?
¿Sabes tu tipo?
Él está mucho tiempo.
Él pensó que era mi hermano.
¿Cuánto tiempo necesitas?
Puedo cruzar el río.
No sabía dónde mirar.
No sé a quién se puso.
Tengo esta bicicleta para gratis.
Nunca lo he visto antes.
Nunca lo he visto antes.
Sabía que podría contar con vos.
Sé lo que Tom hizo Mary.
Necesito una bolsa en ello.
Debería haber venido aquí primero.
Creo que necesitas verte.
Acabo de ir a casa.
Estoy seguro de que venga.
Voy a hacer esto mismo.
En realidad nunca lo he visto.
Si estás cansado de la cama.
Si estás cansado de la cama.
Mi hermano juega la guitarra.
Por favor, traer la llave.
Ella llamó a la mano.
Los hombres están acostumbrado a peligro.
Esa casa parece feliz.
El autobús fue a la posición.
El final acaba de decir.
Ahora no hay falta vuelta.
Esta comida es suficiente.
Esto no está bien.
Tom olvidó firgar su nombre.
Tom tiene una talento para ganar.
Tom tiene una talento para ganar.
Tom es un granjero.
Tom vivía en el bosque.
Tom quería ir a la universidad.
Tenemos mucho para hablar.
Debemos haber perdido algo.
Debemos haber perdido algo.
¿A qué hora empieza a la escuela?
¿Con más despacio?
¿Vas a ver?
¿Vas a ver?
¿Vas a ver?
Él admitió que era verdad.
Él come la mano.
Él come la mano.
Se cayó a la calle.
Él estaba orgulloso de su hija.
Su tío está en nieve.
¿Cuántos hermanas tienes?
No puedo ayudarte.
Ni siquiera te traer una chaqueta.
Sabía que Tom no te besaría.
Siempre veo bien.
La caja está difícil.
Escu que tengo que decir.
Se hizo la tarea.
El poco en el niño.
La carretera está en el río.
Ellos me dio una fiesta grande.
Este libro vendió bien en Japón.
Este abrigo está muy corto.
Tom no fue la firión.
Tom se enfadó con Mary.
Tom tiene más dinero que yo.
Tom está hablando con Mary.
Tom sabe que le mentí.
Tom está en contacto con Mary.
Tom piensa que la respuesta.
¿Qué hace frío?
¿Qué flor te gusta?
Es guapa.
¿Quién fue a la fiesta?
¿Por qué quieres saber eso?
Eres traje para el trabajo.
Puedes ir dónde quieres.
Deberías haber visitado Boston.
¿Puedes tocar una buena tarea?
¿Puedes tocar una buena tarea?

Aunque Tom tenía divertido.
Él visitó su tía.
¿Cómo has estado allí?
No sé como mano.
No quiero ningún problema.
No quiero vivir esta manera.
No quiero vivir con vos.
No quiero hablar de ello.
No quiero hablar con vos.
Tengo que quedarme en la cama.
Me encantan él su culpa.
Estoy en su posición.
A mi padre le gusta el café.
Nadie hizo nada que baile.
Ella puede saber la respuesta.
Ella le quería quedarse más.
Ella fue al cabello.
El mejor pelo está abiendo.
El reloj acaba de la universidad.
La diferencia es imposible.
La policía no encontrará.
El agua está en el lago.
Ellos viven en un hermoso área.
Esto es lo que puedo hacer.
Tom escuchó a alguien llamalo.
Tom se quedó en contacto con Mary.
Tom va a hablar el lunes.
No en el gobierno.
¿Podrías parar de hablar?
El pan está acostumbrado en pan.
Las dos padres están muerto.
Vamos a salir de aquí.
Mi padre vendrá a casa mañana.
Él está avergonzado.
Él hizo su decisión.
Tiene que haber en esta habitación.
Tiene que haber en esta habitación.
No sabía que tenías una hermana.
Voy casi todos los días.
Cojo un libro.
Quiero ver a Tom en mi oficina.
He terminado el libro.
He terminado el libro.
He terminado el libro.
Te he visto antes.
Fue el mejor día.
Déjame decirte sobre el caso.
Mary no dejó a Tom.
Mary no dejó a Tom.
Mary no dejó a Tom.
Me robaron la billetera.
La mayoría de libros se puso bien.
El ejercicio es mi parte favorita.
Por favor, lo que hacemos.
Pon el huevo en el agua.
Ella está en un mal humor.
No tiene nada que ver con eso.
Eso es una posibilidad de que no es?
La pared fue por la pared.
El lugar estaba totalmente totalmente.
Hay una ducha en la ducha.
No hay miedo de tener miedo.
No hay nada con Tom.
Hay algo en adelante.
Ellos están felices con el resultado.
Ellos están estudiando por la prueba.
Ellos terminaron muchas dificultias.
Ellos terminaron muchas dificultias.
Tom le preguntó cuánto.
Tom comió la última pastel.
Tom murió en un accidente.
Tom es una trampa.
Tom sabe un secreto.
A Tom le gusta que se esperaba.
Tom necesitó algo.
Tenemos que hacer ese lunes.
¿Cuál es más barato?
¿Qué mujer estaba hablando?
Su ausencia sabe saber.
¿Quieres casarse con Tom o no?
No pudo abrir la caja.
No pude decirle a su hermana.
No sabía que sepas Tom.
No quiero salir con Tom.
No quiero seguir esto.
Me duele una rostada de una rla.
Oí la canción en francés.
Sé que no te merecho.
Creo dormir bien esta noche.
Creo dormir bien esta noche.
Ojalá no debería ir.
Me gustaría beber algo.
Ya he dado que hacer eso.
¿Es una comida en este vuelo?
Es posible posible, pero no es posible.
Salga un espacio.
Mi casa está cerca de autobús.
Ella debe haber estudido muy duro.
Ella pasó toda la tarde.
Eso no es lo que quería decir.
Esa es el po pollo en París.
La mañana está en la mañana.
El clima afectó su salud.
La tormenta causó una tormenta.
Tom y Mary se ve bien.
Tom no podía descansar su perro.
Tom siguió en la habitación.
Tom espera verte en octubre.
Tom está en la biblioteca, ¿verdad?
Tom me quería verme.
Nos encontraremos en un minuto.
Un dolor de dormir.
¿Me estás pasando bien?
¿Me estás pasando bien?
Boston es dónde se conoció a Mary.
¿Te acuerdas de poner el auto?
Él puede haber perdido su autobús.
A él leí la carta.
Él tiene algo en su padre.
Él me dijo que lo hizo.
Su pena pena pena pena el comportamiento.
No necesito pintura.
Creo que hiciste un trabajo.
Creo que deberías descansar más.
Pensé que estar feliz a Tom.
Te dije que Tom nos ayudaría.
Te dije que Tom nos ayudaría.
Me agradezco algo como eso.
Quiero saber cómo sepas eso.
Hagamos en esto.
Mi novia es muy rico.
Pon toda caja en su lugar.
Ella fue a la escaleras.
La primavera está por la esquina.
La primavera está por la esquina.
Es muy buena comida.
Eso es la última cosa.
El lugar está completamente completamente.
Esta llave no queda en la llave.
Tom y Mary bebieron juntos.
Tom y Mary quería una aviencia.
Tom no puede esconder la verdad.
Tom está siendo amable.
Tom dejó su paraguas en el autobús.
Tom necesita un poco más grande.
Tom dijo que no quería nada.
¿Qué quieres comer mañana?
No debes tocar la pintura.
Necesitas tiempo para entender.
No deberías responder mi pregunta.
Tu segundo está libre.
Le pidió por qué llegó tarde.
Se ha ido a Boston.
Él estaba tan enojado.
Siempre siempre es mala esposa.
Me sentí mejor que tomé un resto.
Siento sobre la discusión.
Necesito comprar un regalo a Tom.
Hablé con él.
Creo que Tom quiere venir con nosotros.
Creo que Tom quiere venir con nosotros.
Pensé que las preguntas.
Pensé que necesitas nuestra ayuda.
Me pregunto dónde estudiara francés.
Prefiero vivir en una casa.
Estaba helado de Tom.
¿Es cierto que no puede hablar francés?
¿Es cierto que no puede hablar francés?
¿Es cierto que no puede hablar francés?
¿Es cierto que no puede hablar francés?
¿No es la policía?
Mi madre es mayor que mi padre.
No es todo blanco.
Nuestro tren llegó después de la oscuridad.
Ella llegó como yo.
Se quedó allí varias días.
No hay ninguna clase de café.
Ellos debió haber sabido todo.
Este libro es tan pequeño.
Esto es demasiado importante para viajar.
Tom rompió en la cabeza.
Tom espera que no era el trabajo.
Tom está en ocupada.
Tom vive en una universidad pequeña.
Tom lee el periódico todos los días.
Tom lee el periódico todos los días.
Tom estaba escondiendo detrás de la corta.
Una tormenta es la cabeza.
¿Tengo un vaso de vino blanco?
Él volvió a casa más tarde.
Él ayudó a la vida.
No sé quién pedir consejo.
Necesito un gran granjero.
Creo que sabemos a Tom.
Pensé que lo sabía, pero no lo hice.
Espero con ganas a la estación.
Espero con ganas a la estación.
Me mura en la luna.
Es el momento perfecto para un beso.
Sólo sabes, soy un montón.
Vamos juntos.
Ella le aconsejó que le ve al dentista.
Es rápido, ¿verdad?
Es rápido, ¿verdad?
Es rápido, ¿verdad?
La intición era muy impresionivo.
El sonido es difícil.
Parece no estar prisa.
Ha estado una muerte en su familia.
Tom no quería decepcionar a Mary.
Tom quiere llamar al mar.
Tom quiere llamar al mar.
Dos dólares es mucho dólares.
Tenemos que comprar el agua.
Tenemos que hacer algo sobre esto.
¿Cuál es tu hora favorita?
Casi todos mis vecinos.
Si, tres.
¿Quieres el resto de mi sándwich?
¿Quieres el resto de mi sándwich?
No te olvides de llamar mañana.
Come tu cena antes de frío.
Come tu cena antes de frío.
No pude haber probado mejor.
Me dejé al tenis.
Pasé el día en la playa.
Mi abuelo tiene nieve blanca.
Mi nombre es Tom y yo.
No están leyendo.
Por favor, la balena con arena.
Por favor, la balena con arena.
Por favor, la balena con arena.
Por favor, la balena con arena.
Por favor, la balena con arena.
Por favor, la balena con arena.
Por favor, la balena con arena.
Por favor, la balena con arena.
Ella no sabe cómo montar una bicicleta.
Ella fue a sus niños.
Debe haber olvidado la promesa.
Ella no ir a caminar con él.
Eso es muy amable de ti.
La cabeza es un poco malo.
La cabeza es un poco malo.
Tom sacó la mano con la mano.
Tom suele vivir solo.
No sabemos lo que hacemos.
Fuimos a ver la playa.
¿Qué compraste tu novio?
Tienes que elegir tu propio propio propio propio propio propio lado.
¿Tienes un billito en Japón?
Él ya ha terminado su tarea.
Él ya ha terminado su tarea.
Él está de su padre.
Él no miró como nada.
Él dijo su hijo interesante.
No me gusta la vida.
Tengo algo que deberías ver.
Me dio puesto la rla.
Me gustaría ir a Australia.
Voy a ver esta tarde a Mary.
Voy a ver esta tarde a Mary.
¿Hay una ley aquí sobre la calle?
Por favor, dices dónde compraste eso.
Ella parece mucho amigos.
Ella se enfadó con los niños.
El pollo esta mañana.
Hoy es mi hermana.
Tom cruzó la lista de Mary.
Tom miró a la muñeca de Mary.
Tom está en ropa.
¿Cuál es la mayoría de Australia?
¿Quién es la niña cantando?
Puedes asegurar en su tiempo.
¿Puedes ayudar este texto?
Él está de terminar el libro.
Lo hice todo.
Probablemente debería haber dicho algo.
Me pregunto si Tom me enseñaría francés.
¿Es cierto que atrapaste una escena?
Muchos americenses están interesado.
El médico le aconsejó que Tom.
Tal vez va a llover en la tarde.
Tal vez va a llover en la tarde.
Ella se quejarjó con él.
Ella se ha ido antes.
Tom y yo estaban hablando.
Deberíamos llegar a Chicago.
Estábamos estistes con facilidad.
Mis padres son francés.
Mis padres son francés.
No tienes nada que hacer.
No te sentas en la mesa.
Todo el mundo tiene una vida mejor.
¿Alguna vez has oído el piano?
Él me hizo la clase.
¿Cuántas huevos hay en la cocina?
Podría entrar en problemas si te ayudaré.
Sé que no hice nada equivocado.
Me encontré con facilidad.
Lo preguntaré de mañana.
Lo preguntaré de mañana.
He estado escribiendo cartas.
Casi tenemos varios.
Lo que decir, no me siento dolor.
El precio del libro es cinco dólares.
Había muchos niños en la mano.
Tom se enseña en Japón.
Tom es el único tipo de Boston.
Siempre tenemos una fiesta en su cumpleaños.
No pudimos salir de la lluvia.
Será mejor que me dejas de nada.
Será mejor que me dejas de nada.
Él puede tocar el piano que pueda.
Él me explicó que él no tenía dinero.
Él tiene una gran influencia en su país.
Él esperó que él vendrá.
Él murió tres veces en un año.
Él murió tres veces en un año.
Él estaba demasiado bien para jugar.
No tengo ganas de decir la verdad.
Me gusta ver el deporte.
Me gusta ver el deporte.
Probablemente habría hecho lo mismo.
Estaba en la ducha cuando sonó.
Voy a viajar en Europa.
Ojalá pudiera pasar más tiempo contigo.
Estoy lejos de esta situación.
¿Lo siento, por favor?
La oficina no está muy lejos de aquí.
La oficina no está muy lejos de aquí.
La oficina no está muy lejos de aquí.
El yenes está bajo la muñeca.
Este libro es muy fácil para mí.
Tom casi pudo respirar la carrera.
Tom no tiene mucho dinero en el banco.
Tom dijo que estaba completamente mal.
Tom todavía todavía no quiere mucho Mary.
Tom fue suerte que él no mató.
¿Qué dijo que Tom te enfadaste?
¿Por qué no puedes explicarte?
Puedo hablar chino, pero no puedo leer.
Siento que creo ir.
Tengo alguien que ayudarme.
Tengo que hacer todo lo que Tom.
Es divertido aprender de aprender.
Abre la puerta.
La biblioteca está abierta.
Este niño se puso la clase de la clase.
Tom siempre parece estar leyendo.
Tom no pudo leer en la luz.
Solo era un niño niño, él era el niño.
Se expresó muy bien en inglés.
No sabe por eso.
Él no sacó su libro.
Será muy agradecido si me podrías ayudarme.
He estado esperando por la hora.
He estado esperando por la hora.
Si no vas a ayudarme, ¿verdad?
Es mejor que estar aburrido.
Algunas estudiantes estaban tarde por la escuela.
Dime quién planees ir con Boston.
Los hermanos nació.
Hay una diferencia entre ellos.
Esta casa es una mejor que la otra.
Tom encontró que hizo un error.
¿Había un libro en el escritorio?
¿Sabes ir a pescar?
¿Sabes ir a pescar?
¿Sabes ir a pescar?
¿No has leído nada que leer?
¿No has leído nada que leer?
No sé si debería llorar.
Me desperté todo.
Tengo el diccionario como tu hermano.
Pasé toda la mañana.
Estoy tratando de poner con su hermana.
Había un poco de leche en la botella.
Esta reunión no está esperando.
Tom no me hizo una oportunidad con él.
Tom sacó un cuchillo con Mary.
Tenemos un par de semana.
Tenemos suerte a Tom que nos ayude.
Tenemos suerte a Tom que nos ayude.
Una investigación es en la tarea ahora.
Incluso si llueve mañana.
Él perdió la boca y cayó la escalación.
Él es muy joven que Tom.
¿Cómo es diferente de lo que dije?
Tengo mucho dinero en mi cuenta.
Voy a casa cuando viene.
Estoy deseando mantener tu respuesta.
Lo siento, pero me voy a dormir este proyecto.
Estoy muy interesado en clase.
Si quieres este bolígrafo, te prestaré.
Por favor, las palabras están de menos.
Ella estaba en un restaurante con ella.
Se puede pasar de tiempo a tiempo.
Eso me hace más cansado de pensar.
La batalla se puso rápidamente.
Hay más en los Estados Unidos.
Tom y Mary siempre siempre siempre están discusión.
Tom está enamorado de la escuela.
Mañana voy a estudiar en la biblioteca.
Mañana voy a estudiar en la biblioteca.
Cuando llegas en Osaka, por favor.
¿Realmente no tenemos que hacer eso?
No me gusta realidad, él lo odio.
Creo que es hora de la ventana.
Hoy voy a quedar un libro.
Siento haber causado mucho problemas.
Siento haber causado mucho problemas.
Si no estás con nosotros.
Mi novia tiene tres años que yo.
Mi novia tiene tres años que yo.
Ella nunca pensó que viniera realidad.
Ella dijo que eran buenos amigos.
Ellos vivía en la guerra.
Esta carta ocurrió a tu carta.
Tom me pidió que llegó aquí.
Agar la televisión y bajó la luz.
Deberías haber empezado con los preguntas.
Costó a Tom y lo que vendrá aquí.
Sinceramente, no estoy impresionamente.
Él siempre siempre está en dos veces.
Él gritó su cora cora valor.
Él gritó su cora cora valor.
Tuve demasiado para beber y yo.
Le dije qué hacer, pero no lo escucharía.
La gente puede estar en la compañía.
Ella solía jugar al tenis.
El Estados Unidos estaba construiendo en 192.
La posición abierta por otro mes.
La posición abierta por otro mes.
No hay nada en el verano.
Aunque era niño, no tenía miedo.
¿Cuánto tiempo lo hizo esto?
Tengo un perro en el nombre.
Mary no es mi novia.
No me hizo el consejo, pero también.
Los precios son tres años.
Ella puso un gran dinero en el banco.
Ella le dio una experiencia.
El profesor abrió la caja y sacó una pelota.
Tom compartió una pieza con Mary.
¿Qué harías un mill dólares?
¿Qué harías un mill dólares?
Su cabello hace más mayor que la edad.
Estoy estudiando una traduión o.
Estoy estudiando una traduión o.
Tengo mucho trabajo en el fin de semana.
Será difícil para él.
Mi padre plantó este árbol.
Mi padre plantó este árbol.
Los hombres estaban sentados en el banco.
Hay muchos palabras con muchas palabras.
Hay una hora de hablar y un tiempo.
Tom no dijo que estaba planeando allí.
A Tom no le gusta ser capaz de control.
A Tom no le gusta ser capaz de control.
A la guerra le he salido a la guerra.
Ten cuidado lo que quieras.
¿Has cruzado alguna vez como este río?
¿Cuántas veces has hecho este bebé?
No entiendo lo que está en el fusio.
Desearía tocar esta canción.
Siento, pero no tengo ganas.
Mi última vez está volando bien.
Nuestro profesor hizo una zatada en la piz.
Hay sobre 5.
Esta es el hombre que se encontraste.
Esta historia está suficiente para leer una.
Solo puede hablar una lengua muy perfectamente.
No quiero lastimar a Tom, pero me tengo que tener que tener que tener que tener que tener que hacer.
No tuve nada que comer esta mañana.
Vi un agujero en mi bicicleta.
Si podría dejar con el pájaro.
Si estás de drogas, estás pidiendo.
Es imposible hacer la trampa.
Nuestra bicicleta duró dos semanas.
Ella siempre dejó a sus hijos.
Los animales están muy sorprendido de ese periódico.
Esta es la mayoría de hoy.
Tom le dijo a Mary que había ido.
Tom estaba sentado en el coche.
Se hace mucho tiempo para llover.
De acuerdo de acuerdo, él estará aquí.
Los niños creen a sus padres.
¡Te he tenido más cuidadosamente o un accidente.
Ya no puedo decirle ahora.
Tengo que ir a comprar una hora.
El tiempo ha leído veinte estudiantes.
El opio es un gran empleado.
El ladrón solía romper un coche.
Ellos se casan con los niños.
Tom no podía hacer nada por eso.
Siempre debes respetar la mayoría de la mayoría.
No te preocupes por eso.
Él llegó uno de la rica en América.
No puedo tomar el lugar de inglés.
No debería haber dicho que te dije que dijiste.
No debería haber dicho que te dije que dijiste.
Me pregunto si Tom ha considerando.
Si tuve más tiempo que haber escrito.
Si duerme un rato mientras te sientes mejor.
Tom no dijo si estaba planeando ir o no.
Según el periódico, va a llover hoy.
A veces le gusta sus empleados.
Intentaré por qué debo pagar el mes.
Realmente me he olvidado con un mal día.
He dejado de Cal en la isla.
Estamos en el segundo de un gran calor.
¿Cuándo crees que Tom vaya a nosotros?
¿Cuándo crees que Tom vaya a nosotros?
Necesitas tomar responsabilidad para lo que has hecho.
Tiene mucha dificultión sin lentes.
Hablé con Tom y estaba esperando.
Mucha gente prefiere cocinar con Japón.
Tom no podía ir al concierto porque tenía que trabajar.
Tom habla más que que que hablar.
Tom quiere saber por qué no trabaja aquí.
¿Por qué no esperas aquí mientras yo?
¿Te importaría escribir este trozo de papel?
Una relación en la relación es honesto.
Como me tocó los dedos.
Quiero hacer lo que solía hacer antes.
He miró por todo lo que no puedo encontrar las llaves.
El equipo va a ver el equipo.
Solo quería recordarte a Tom.
Es difícil de un anciano mayor.
Es una cosa bueno para que tú.
Lo que él quiere morir en el mismo lugar.
Ella puso la culpa sobre el sofá.
Ella estaba a él en cuanto caminaba en la puerta.
Las dos polítores se conoció a la primera vez.
Hay algo importante que quiero discutir contigo.
No había interesante en la televisión.
Esta es la bella vez más bella.
Tom olvidó decirle a Mary lo que tenía que decirle.
Tom estaba impresionada por la flauta.
El reloj quiere ir allí, pero quiere a casa.
Él tuvo su permiso por conducir.
Creo que Tom y más que Tom.
Te esperaré mañana.
Sería mejor que tú no tú.
Sería mejor que tú no tú.
Mary dejó mal.
Había un poco poco poco de agua.
Tom no tiene suficiente dinero para comprar el coche.
Tom esperó un rato en la oscuridad.
Necesitamos a alguien en la experiencia.
Ayer ocurrió una explosión en el fuego.
Mucha gente está esperando.
Sé como nadar, pero no me gusta nadar en el río.
Había muchas cosas que Tom hiciera eso.
Había muchas cosas que Tom hiciera eso.
Por la vez sol sol sol nos vamos a ir a ir a la al sol.
Es difícil de aprender.
Debes tener una permiso antes de conducir.
Me comí la tarta antes de que me dio un rato.
Tom esperaba salir temprano en la mañana, pero se durmió.
Tom me dijo que me quería pasar con él en Boston.
¿Cuándo era la última vez que comió con tus padres?
Lo que empieza de comer, casi casi casi casi casi casi hace imposible.
Gracias por ayudarme a la reunión.
Gracias por ayudarme a la reunión.
Mucha que no pudas preocuparte.
Él tien de hablar de nada.
No quiero hacer más que tengo que hacer.
La Bina es más de Navidad.
En Canadá hay muchos árboles.
La única regla es que él hace las reglas.
Esto está peleando con alguien.
Voy a estar en treinta minutos.
Me gustaría ir a la botella antes de casa.
Ya lo veo mañana.
No tienes hasta que perder tu salud.
La ciudad en la ciudad de la ciudad.
Desafortunadamente que sugirió que sugirió el libro.
Mi hermana ha ido a la noche desde la noche.
Mi hermana ha ido con la noche.
Tom pasó muchos días en frente.
Tom realmente no ser con John.
Para a alguien que es un exper exper exper exper exper exper exper exper exper exper exper exper exper exper exper exper exper exper exper exper exper exper exper exper exper exper exper exper exper exper experento, no se supone que no se supone que no se supone que se supone que se suponía que es una exper experento.
La gran mill mill mill mill mill mill mill mill mill mill mill mill de la mayoría.
Tom llamó a la compañía en ese auto.
Es mejor que tomara este trabajo.
La mayoría del agua, el agua.
El presidente está tomando la primera vez cuando no te ves.
Yo solía usar un poco, pero lo encontré.
El pueblo dijo que había destruido en el pueblo.
Lo que se puede vender en realidad.
Lo que Tom era lo que podría ser capaz de caminar.
Si puedo llegar a la universidad.
Si fumar a las personas de su cigarrillas, se ha dejado a un cigarrar a la gente.
Ellos dice que nadie puede ser presidente, pero no puede.
He oído que no comas.
Un niño, quién no pudo haber estado más de cinco años.
Algunas personas cree que es difícil de inglés, pero aprenden a ser un hablante nativo de inglés.
A pesar de pintura, mi amigo a estudiar en muchos años.
