Dejé.
¿Por qué me va a mí?
Vamos a ver.
Escénén a Tom.
¿Tom fue a Tom?
Le dije a Tom.
Le dije a Tom.
¡Pate!
¡Pate!
¿Qué es nuevo nuevo?
¿Qué es nuevo nuevo?
No trabaja.
No trabaja.
No trabaja.
En pesar de Tom.
A pesar de Tom.
¡Qué extraño!
¡Qué extraño!
Tengo vino.
Me gusta los gatos.
Estaba borracho.
Quisiera hacer a Tom.
Me voy a ver.
Me está en mí.
Dí un problema.
Tom puede ser capaz.
Tom puede ser capaz.
Tom está enojado.
No hace nada.
No hace nada.
Necesito un crimen.
Es mi vida.
La comida terminó.
La comida terminó.
¡Te veo pronto!
¡Te veo pronto!
¡Te veo pronto!
Esto es amor.
Trén esto.
Eres bastante divertido.
Estás equivocado.
¿Estás allí?
Date, Tom.
Date, Tom.
Yo estaba cerca.
Yo estaba cerca.
No puedo volver.
Tengo un resfriado.
Tengo un resfriado.
Debo bailar.
Voy a llamar a Tom.
Ahora estoy despierto ahora.
Es dos y media.
En el geroria.
En el geroria.
Vené a bailar.
Vené a bailar.
Espera un minuto.
Espera un minuto.
¿Qué hice?
¿Quién es?
Eres mi hijo.
Eres mi hijo.
¿Pedás?
Él caminó a casa.
Me he terminado a los cicos.
Me he terminado a los cicos.
Yo traté.
Me encanta la pelea.
Voy a la compañía.
Voy a la compañía.
¿Es un extraño?
No era eso.
Deja mañana.
Deja mañana.
Deja mañana.
Deja mañana.
Deja mañana.
Ellos están ocultando.
Tom es perfecto.
Tom le encanta los perros.
Sí, por favor.
Sí, por favor.
Sí, por favor.
Eres una gran recina.
Cinó treinta treinta treinta años.
Él se fue en la cama.
Él es un dolor de dolor.
Él es un dolor de dolor.
Él estaba hablando.
¿Cómo es todo el mundo?
¿Cómo es tu frío?
Yo es todo lo que todo.
Tuve que ver.
Necesito una ducha.
A menudo le veo a ver.
Quería llorar.
Estaba en Boston.
¿Es un río?
¿Es un río?
Nunca te olvides.
Nunca me dejes que ir.
A favor.
Esto es perfecto.
Tom se acusó.
Tom es mi forma más frío.
Tom necesitaba a Mary.
No estamos solo solo.
No estamos solo solo.
No tenemos tiempo.
¿Qué se fue?
¿Cuándo podemos comer?
Deberías ir.
¿Estás una oportunidad?
¿Te gusta golf?
No me preocupes.
Vuá y la bina.
Tom me llamó a Tom.
Él se está viejo viejo.
Él es tu padre.
Él es tu padre.
Me encanta mi padre.
Yo solía ser gordo.
Fue muy difícil.
Fue culpa a su culpa.
Fue maravilloso.
Fue maravilloso.
Es terminado con facilidad.
Vamos a almorzar.
Ella empezó a llorar.
Ella empezó a llorar.
Ella no es allí.
La caja está ocupada.
Los gemicos sonrió.
Necesitamos volver.
Nos vamos de medar.
¿Cuándo lo hace?
¿Cuándo lo hace?
¿Cuándo lo hace?
¿Tienes una bolsa?
¿Cómo debería saber?
Yo puedo nadar.
No puedo dar ahora.
No hice ni siquiera.
Me levanté a las siete.
No tengo amigos.
Me quedé en mente.
Me encanté con ella.
Quiero leer.
A pesar.
Hoy es la viento.
Vamos al fútbol.
Mis ojos son de los ojos.
Ella no puede hacer eso.
Eso es nuestro secreto.
Ellos me gusta la caja.
Ellos pagar bien a Tom.
Este libro es buena.
Este libro es su libro.
Tom casi sonrió.
Tom le mostró a trabajar.
Tom se hizo sol.
Tom se comió bien.
¿Qué soy si estoy bien?
Eres tan estúpido.
Puedes hablar aquí.
Eres muy rápido.
Eres un buen hombre.
Eres un buen hombre.
Eres demasiado fuerte.
¿Te acuerdo?
La salud no es de los existas.
Él trabaja en un banco.
Él vendrá al mediodía.
Él no está allí allí.
Compré una corbata roja.
No puedo creer que lo puedo creer.
No puedo creer que lo puedo creer.
Odio mi computador.
Conozco a Tom.
Me gusta tu jardín.
Quiero una mesa.
Va a ver a nuevo.
Va a ver a nuevo.
Va a ver a nuevo.
Mi cuarto de la sala de la habitación.
No es uno de los lastimos.
EllaOdio los perros.
Eso será divertido.
Eso será divertido.
Eso es capaz de los crucos.
Eso es capaz de los crucos.
Eso es capaz de los crucos.
Eso es vacía.
Los ojos están son más importante.
Todos pueden conducir.
Este es tan confiendo.
Este es tan confiendo.
Este cuarto está tranquilado.
Tom tiene tres hijo.
Tom no ha cambiado.
Tom no ha cambiado.
Tom es un cierto.
Tom quiere esto.
Tom vendrá a Mary.
Salamos de comida.
Salamos de comida.
¿Quién sabe?
¿De quién es este libro?
¿Por qué no lo trabajó?
Tienes que excusa.
Todo lo que hacer es fiesta.
¿Puedo ver otra vez?
¿Puedo hablar francés?
¿Puedo hablar francés?
¿Puedes conducir tu esposa?
¿Puedes ver aquí?
¿Tienes un mensaje?
¿Te gusta la taza?
¿Te gusta la taza?
¿Te gusta la taza?
¿Te gusta la taza?
¿Quieres que quieres ir?
Delo de mí.
Él me dio una manzana.
Él puede que dijo que ella.
¿Cómo hace ese tipo?
No pudiera salir.
No le hice a Tom.
No soy capaz de ti.
No estoy rico.
Es una buena cámara.
Es un poco frío.
Es un poco frío.
Es un poco frío.
Nadie estaba en octubre.
Nadie estaba en octubre.
Nadie estaba en octubre.
Envate a tu bulia.
Envate a tu bulia.
Ella le dio de fumar.
Ellos sabe algo.
Ellos sabe algo.
Ellos fueron por favor.
Este es el que es el mono.
A Tom le gusta su pelo.
Tom es imposible ahora.
Tom es muy estuloso.
Tom levantó su mano.
Tom dice que dice que está cansado.
¿De quién es este dinero?
¿Por qué es tan difícil?
Me decepcionen.
Tú ves hoy.
Tú ves hoy.
Tú ves hoy.
¿Cuánto podría ser?
¿Estás capaz de nadar?
Hazlo a esto.
Él no es un montón de estadounidenses.
Él habló muy fuerte.
Él era un hombre honesto.
¡Pate!
Su ciudad es de los espen.
Pino, voy a ganar.
Vené con un sueño.
Tuve una mañana ocupada.
Ojalá yo fuera un pájaro.
Me voy a ver a verte.
Yo he hecho de eso.
Ella planó su camisa.
Ella siempre está asustado.
El enemigo está acostumbrando.
El sol está aquí.
Los ventanas están abierta.
Ellos odieron uno.
Este es la solución.
Este carne huele malo.
El tiempo estaba corriendo.
Tom se odia en lasiones.
Tom levantó su mano.
¿Qué fue a Boston?
No trabajó en casa.
Estás aquí.
Vas a Tom avergonzado.
¿Estás cansado?
¿Estás durmiendo, Tom?
¿Es tu padre?
Él no es o un hombre o un hombre.
¿Cuál es el profundo?
No tengo hijos.
No veo a ver a Tom.
Tengo una bicicleta.
Me gusta la luz.
Debo en una bicicleta.
Necesito otra oportunidad.
Yo lo vi en el parque.
Yo lo vi en el parque.
Me voy al lunes.
El dinero se ha terminado toda la puerta.
No diría eso.
Nadie sabe su nombre.
A favor, la puerta, por favor.
A favor, la puerta, por favor.
Dime lo que dijo Tom.
Dime lo que dijo Tom.
El fin vino.
El tipo estaba siendo imposible.
El monor estaba lleno.
Tom me preguntó a hacer eso.
Tom levantó las manos.
Tom sabe las reglas.
Tom me dejó más opción.
Tom perdió sus llaves.
Tom no le mostró a la solución.
Tom vendó a Mary su auto.
Tom fue a volver a trabajar.
Tom es un niño muy alto.
Nosotros hablamos a la plan.
Estamos haciendo algo haciendo.
¿Dónde fue el error?
¿Dónde está el presidente?
Va un regalo.
¿Quieres ser rico?
¿Quieres ser rico?
¿Quieres ser rico?
¿Eso es ese asunto?
Él se quedó a punto de nosotros.
Él es una mano de la rodilla.
Él es una mano de la rodilla.
No hice nada nada.
No me siento seguro de seguro.
No quiero cambiar.
Me perdí en el nieve.
Yo sé todas las reglas.
Vivo cerca de aquí.
Me encanta viajar solo.
Necesito dolor de dolor.
Creo que Tom le gusta a Mary.
Me está haciendo nervioso.
No es una dirección.
La caja de acuerdo antes de ti.
La caja de acuerdo antes de ti.
La caja de acuerdo antes de ti.
La caja de acuerdo antes de ti.
Mi sueño tiene cierto.
Mi sueño tiene cierto.
Ahora tengo que encontrar a Tom.
Ella no parece feliz.
Ella es una mujer de la mujer.
Ella nació el año pasado.
Tate las llaves a Tom.
Eso fue hace dos años.
Eso fue hace dos años.
Eso es por favor.
La pelota golpeó la cerca.
El partido de casi casi casi casi se está terminado.
El traje de las ganas de hablar.
Estos hermanos están de Tom.
Esto es música.
Este cuarto es muy frío.
Este tiempo es diferente.
Tom vino a visitar a Mary.
Necesitamos un poco de azúcar.
Lo que Tom lo hizo un poco.
¿Qué hizo tan enfadado?
¿Qué hizo tan enfadado?
¿Te gustaría cantar a cantar?
No me puede esconder de mí.
No me puede esconder de mí.
¿Estás realmente realmente canadiense?
¿No puedes dar este mono?
¿No puedes dar este mono?
¿No puedes dar este mono?
¿No puedes dar este mono?
¿Quieres experiencia?
¿Quieres experiencia?
No me hables.
Él fue en su auto.
Él fue en su auto.
Él está acostumbrado al trabajo.
Él nunca está de pensar para pensar.
Me acuerdo de ser como Tom.
Te mostré algo de comida.
No entiendo.
No quiero salir a dar.
No quiero salir a dar.
Supongo que sé mal mal mal mal tiempo.
Tengo dos hermanos.
No he terminado de esto.
Creo que te estás equivocado.
Creo que te estás equivocado.
Pensé que era el lunes.
Quiero su oficina en mi oficina.
Quiero comprar un auto nuevo nuevo nuevo.
Es casi casi las seis de las seis.
Vamos a tomar otro asunto.
Vamos a tomar otro asunto.
Quizá debería escuchar.
Quédate por un momento.
El aire está aquí en la estulación.
El aire es un lunes.
Estos mis llaves no son mío.
Esto no es bien.
Esto no es bien.
Hoy tenía un montón de matemáticas.
Tom no puede decir tiempo todavía todavía.
Tom no quería esperar.
Tom es un estudiante de estudiante.
Tom es buena en la mano.
Tom esperó a la solución.
Tom estaba el agua.
Voy a casa por casa.
Lo que hiciste es capaz de ti.
¿Por qué no sé esto?
Tienes que ser más loco.
Tienes que ser más loco.
Tienes que ser más loco.
Tienes que ser más loco.
Tienes que ser más loco.
Tienes que ser más loco.
Eres el problema, Tom.
Un momento, Tom es mi jefe es mi jefe.
¿Has visto a nadie más?
¿Tienes algún hijos?
El hombre es un número de número.
Cada hombre tiene su culpa.
Él es responsable para ello.
Él es nuestro profesor.
No puedo esconder a mi sentimientos.
No puedo andar a un paseo.
Me sentía mucho mucho más experiencia.
Tengo una mala mala gemica.
Sabía que Tom estaría aquí.
Aprendí mucho de ti.
Necesito algo algo.
Me pregunto por qué hizo eso.
¿Es este día cada día?
¿Es el museo?
No estaba tan tan popular en allí.
Es el menos el menos que podemos hacer.
Por favor.
Por favor, encontrar la solución.
Telelame si llueve.
El chico se cayó de la cama.
El perro se cruzó la pelota.
La niña se abió su muñeca.
Tom y Mary están bailar.
Tom es un niño sensible.
Estamos bajo su enfermedad.
¿Cuándo fue tu primera vez?
¿Cuándo vas a aprender?
Tienes el día.
Tu taza está en la mesa.
¿Me estás mirando?
¿No estás en este dolor?
Llámar un médico.
¿Puedo hablar al médico?
Ven a las diez de las diez.
No hables de los demás.
A todo el lugar le encanta ese lugar.
¿Has visto alguna vez?
Él dijo que ser un lugar de matemáticas.
Él dijo que ser un lugar de matemáticas.
A él le gusta pan y mantequilla.
A él le gusta pan y mantequilla.
Te mostré algo de café.
No puedo andar a la oportunidad.
No voy a ver televisión.
Me quedaré a casa mañana.
No voy a ser capaz de salir.
Me gustaría visitar a visitar.
Voy a dar un poco de ello.
Le voy a casa en tu ayuda.
Le voy a casa en tu ayuda.
No es eso.
Es lloviendo lloviendo a la noche.
Es lloviendo lloviendo a la noche.
Quizá vendrá mañana.
Ella podría saber la respuesta.
Ella dijo algo que él.
Ella solía vivir cerca de él.
Ella estaba completamente solo por él.
Eso podría haber sido verdad.
La isla es la isla.
Ellos vive en la ciudad.
Ellos se están diez barco.
Tom tiene mucho mejor ahora.
Tom es mucho mejor mejor mejor hoy.
Tom es tan fuerte como nunca.
Tom es viejo suficiente para votar.
Tom quiere un gran oficina.
Tom es francés.
Estamos una buena buena buena tiempo.
No podemos usar.
Todos aprender francés en la escuela.
¿Cuál es tu palabra favorita?
Estás equivocado en este caso esto.
Lo has hecho un trabajo perfecto.
¿Puedes limpiar tu habitación?
¿Has comprado un buen buen error?
¿Has pagar por todo?
La bocia es la bación.
Los pciones están de nadar.
Él vive en Sinkkkero, creo que yo.
Él vive en Sinkkkero, creo que yo.
Él le pagó a las diez dólares.
No sé lo que es peor.
No tengo ningún secreto de ti.
Acabo de ver a Tom.
Quiero contarte una historia.
Soy una solución de los mundo de todo el mundo.
Estoy buscando a mi amigos.
No voy a ir a esa pelea.
No voy a ir a esa pelea.
He oído un montón de ti sobre ti.
Yo he oído a menudo sobre ti.
Mi cumpleaños está pronto.
Mi sueño es para ir a Japón.
Mi trabajo es inglés.
Mi trabajo es inglés.
Socía como mucho como quieres.
Socía como mucho como quieres.
Ella tiene una hermano en Tokio.
Ella está mintiendo a su edad.
Eso es comida para ser difícil para más duro.
Hay comida en la caja en la estina.
No hay nada nada nada que hacer.
Ellos sonrió en uno.
Ellos están en un grupo de cantar.
Este coche es fácil para la mano.
Este es el único.
Este es el único.
Este es el único.
Este es el único.
Tom no tenía considerado eso.
Tom es su propia peor peor peor enemigo.
Tom menudo habla con su perro.
Tom estaba arrestado en el lunes.
¿Qué estás preocupando por ti?
¿Dónde está la estación?
¿Dónde está la estación?
No tuvo que hacer eso.
Eres la vida de mi vida de mi vida.
"¿Por favor, sentó, por favor.
"¿Por favor, sentó, por favor.
¿Por favor, hace mucho mucho tiempo?
Llámame una vez de ti.
Llámame una vez de ti.
¿Me puedes mostrarme a mi familia?
¿Sabes de tu tipo?
Él es mucho tiempo para la ciudad.
Él pensó que pensaba que mi hermano era mi hermano.
¿Cuánto tiempo vas a tiempo?
Puedo nadar el río.
No sabía dónde se miraba dónde.
No sé quién sabe quién se le gusta ir a la ventana.
Le di esta bicicleta para libre.
Nunca le he visto antes antes antes.
Nunca le he visto antes antes antes.
Sabía que pudiera contar con vos.
Yo sé lo que Tom hizo Mary.
Necesito una bolsa para ver en la bolsa.
Debería haber venido aquí.
Creo que necesito verlo.
Acabo de ir a casa a casa.
Estoy seguro de que él vendrá.
Voy a hacer esto a hacer esto.
Yo nunca he visto.
Si estás cansado, voy a la cama.
Si estás cansado, voy a la cama.
Mi hermano juega la guitarra.
Por favor, la llave.
Ella se desonó la bra.
Los niños están están al peligro.
Esa casa está deseeando.
El autobús se fue sobre la bubera.
El fin de terminar la pregunta.
No hay monto ahora ahora.
Este comida es suficiente para dos dos.
Esto no es exactamente exactamente exactamente.
Tom se olvidó ver su nombre.
Tom tiene un montón para ver a la cárcel.
Tom tiene un montón para ver a la cárcel.
Tom es un montón de los caras.
Tom vive en la oportunidad más alto de la monura.
Tom quería ir a la universidad.
Tenemos un montón de hablar de ello.
Tenemos que haber perdido algo.
Tenemos que haber perdido algo.
¿A qué hora hace la escuela?
¿Te gustaría hablar más despacio?
¿A menudo vas a ver?
¿A menudo vas a ver?
¿A menudo vas a ver?
Él admitió que él era verdad.
Él se puede almorzar en un montón de crero.
Él se puede almorzar en un montón de crero.
Él se apagó a una campera.
Él estaba orgullosa de su hija.
Su opinión es de los cubos que la nieve.
¿Cuántas hermanas tienes?
No puedo ayudar a su ayuda.
Yo ni ni siquiera hace una chaqueta.
Sabía que Tom no besaría.
Piné a ver las cosas.
A pesar de ser difícil es difícil.
Nos encontré lo que tengo decir.
Ella se hizo la tarea.
El niño está en el valor.
El camino se comió el río.
Ellos le dio una fiesta para mí.
Este libro vendó en Japón.
Este abrigo es demasiado corto en mí.
Tom no veo de ver la pelea.
Tom se enfadó con Mary.
Tom tiene más más dinero que hacer.
Tom todavía está hablando a Mary.
Tom sabe que le gusta que le gustara.
Tom está en hablar con Mary.
Tom piensa que la respuesta es sí.
¿Qué te ve frío?
¿Qué flor te gusta?
La cosa es bastante bastante bastante los pájaros.
¿Quién fue a la fiesta?
¿Por qué quieres saber eso?
Eres para el trabajo para el trabajo.
No puedes ir a dónde quieres.
Deberías haber visto a Boston.
¿Puedes recomendar un buen bien?
¿Puedes recomendar un buen bien?
¿A él le
Aunque Tom era divertido hoy.
Él visitó a su tía ayer.
¿A qué menudo has estado allí?
No sé cómo sé cómo la mano.
No quiero ningún problema.
No quiero vivir a esto.
No quiero vivir con vos.
No quiero hablar de ello.
No quiero hablar con vos.
Tengo que quedarse en la cama todo el día.
Le encanta él a su culpa.
Vivé en su bubo.
A mi padre le gusta el café.
No hizo nada de los bailar.
Ella puede tener la respuesta.
Ella quería que se quedara más.
Ella se fue al pelo de la cárcel.
La mejor que el pelo se está de los ojos.
El reloj ha hecho de diez.
La diferencia está en la solución.
La policía nunca lo encontrar.
El agua en el lago es frío.
Ellos vive en un buen campo.
Este es lo que puedo hacer por ti.
Tom oyó a alguien con él.
Tom se quedó en hablar con Mary.
Tom va a hablar en el lunes.
No confamos en el gobierno.
¿Te gustaría hablar hablando?
La cena está acostumbrando en pan.
Los dos hermanos están muerto.
Ven a punto de salir de aquí.
Mi padre está a casa mañana.
Él está avergonzado para hacer preguntas.
Él se hizo su mente en la mente.
Él debe estar en esta habitación.
Él debe estar en esta habitación.
No sabía que eras una hermana.
Voy a compras todos los días.
Me encanta un libro en el libro.
Quiero ver a Tom en mi oficina.
He terminado terminado de leer el libro.
He terminado terminado de leer el libro.
He terminado terminado de leer el libro.
Te he visto antes antes de ti antes.
Fue el mejor día de mi vida de vida.
Déjame contarte sobre el caso del caso.
Mary no compraría a Tom.
Mary no compraría a Tom.
Mary no compraría a Tom.
Mi billetera fue ayer.
La salud de los libros de los libros.
La gente es mi tía favorita favorita.
Por favor, lo que hacer lo que hacer.
Pon el huevo en el huevo de agua.
Ella está en un mal mal humor.
Eso no tiene nada nada que hacer.
Eso es una posibilidad, ¿verdad?
El test se fue la pared.
El lugar estaba totalmente totalmente totalmente totalmente totalmente totalmente.
Hay una ducha en la ducha.
No hay ninguna razón para ser.
No hay nada equivocado con Tom.
Hay algo algo que viene.
Ellos están felices con el resultado.
Ellos están estudiando para el examen.
Ellos se han difícil difícil.
Ellos se han difícil difícil.
Tom le preguntó mucho cuánto cuánto que nos hace suerte.
Tom comió el trozo de la torta de pastel.
Tom murió en un montón de un accidente.
Tom es una fiesta para la fiesta.
Tom sabe cómo hacer un secreto.
A Tom le gusta que se le gusta que se se se se se me gusta.
Tom necesitaba un poco de los gemas.
Tenemos que hacer que hacer ese lunes.
¿Cuál es la comida, ¿verdad?
¿Qué mujer estaba hablando?
Tu inocencia no sabe sabe sabe que no se habla.
¿Quieres casarte con Tom o no o no?
Él no estaba capaz de abrir la caja.
No pude decir de ella.
No sabía que sabía que Tom sabía que sabía.
No quiero ir a Tom con Tom.
No quiero hacer haciendo haciendo esto.
Le di un montón de reular en una oportunidad de un vaso.
Oí la canción en el sol.
Yo sé que no te he visto.
Creo que creo que dormir bien esta noche.
Creo que creo que dormir bien esta noche.
Ojalá tuviera una razón para no ir a la razón.
Me gustaría beber algo para beber.
Ya he comprado a hacer eso.
¿Es una comida en este vuelo?
Es posible posible, pero no es posible.
Deja un poco de la diferencia.
Mi casa está cerca a un autobús.
Ella debe haber ido muy difícil.
Ella pasó toda la tarde.
Eso no es lo que soy decir.
Ese es el viaje en París.
El aire está en la mañana.
El clima se puso su salud.
La tormenta fue una única única única única única única persona.
Tom y Mary se ves bien juntos.
Tom no pudo tomar a su carión.
Tom siguió a Mary en la habitación.
Tom puede ver a ver en octubre.
Tom está en la biblioteca, ¿verdad?
Tom quería ver a ver bien.
Voy a encontrar en un minuto.
Un parito me vemo de dormir.
¿Están de hablar de ustedes?
¿Están de hablar de ustedes?
El amor es donde Tom y Mary se nos nos nos encontría.
¿Le acueraste a la llave?
Él puede haber perdido sus bus de su autobús.
Él le leyó la carta y se comió.
Él se ve un poco de su padre.
Él me dijo que hacerlo, así que hice.
Su comportamiento es la pena de la vida.
No tenía que volver a la cerca de la cerca.
Creo que te hizo un trabajo.
Creo que deberías conseguir más.
Pensé que sería feliz de Tom.
Le dije a Tom que nos ayude.
Le dije a Tom que nos ayude.
A pesar de encontrar algo como algo.
Quiero saber cómo sabes cómo sabes eso.
Vamos a hacer en esto.
Mi novia es muy orgullosa.
Pon la caja en su lugar en su lugar.
Ella fue a la cena para ella.
La primavera es de la esquina de la esquina.
La primavera es de la esquina de la esquina.
Eso es muy buena comida muy buena comida.
Eso es la misma cosa que recuerdo.
El lugar está completamente completamente completamente.
Esta llave no vive en la escuela.
Tom y Mary bebió cerveza juntos.
Tom y Mary quería un trozo de un trozo.
Tom no puede esconder la verdad.
Tom está siendo amable con asesinato.
Tom dejó su paraguas en el autobús.
Tom necesita un poco más amable.
Tom dijo que no quería nada.
¿Qué quieres hacer mañana?
No debe hablar los animales.
Necesitas tiempo para entender tiempo.
No estás respuesta de responder a mi pregunta.
Tu botón está cerca.
Él le preguntó por qué ella vino a su tarde.
Él se ha ido a los vacaciones de vacaciones.
Él estaba tan enfadado de no pudo hablar.
Él siempre está mal mal mal de su esposa.
Me sentí mejor que me tomó un descanso.
Prefiero en la mano hasta el final.
Necesito dinero para comprar un regalo a Tom.
Hablí con él sobre el asunto asunto asunto.
Creo que Tom quiere venir con nosotros.
Creo que Tom quiere venir con nosotros.
Pensé que el preguntas estaban fácil.
Pensé que debes tener que nuestra ayuda.
Me pregunto dónde Tom estaba en francés.
Me gustaría vivir en una casa de madera.
Pví a la comida de Tom favorita.
¿Es verdad que no puedes hablar francés?
¿Es verdad que no puedes hablar francés?
¿Es verdad que no puedes hablar francés?
¿Es verdad que no puedes hablar francés?
¿No es ese monal?
Mi madre es mayor que mi padre.
No no es todo el blanco y blanco.
Nuestro tren se cayó después de la oscuridad.
Ella llegó como como como yo.
Ella se quedó allí por cuatro días.
Hay más de tipo de café.
Ellos debe tener que lo mismo.
Este libro es tan pequeño como ese libro.
Este es demasiado importante para comer.
Tom se rompió en la tele.
Tom sabe que no nos quedara el trabajo.
Tom es muy amable en este tiempo.
Tom vive en una universidad de la universidad.
Tom leyó el periódico cada día cada día.
Tom leyó el periódico cada día cada día.
Tom estaba escondiendo detrás detrás de la cortera.
Un autor es la cabeza es la cabeza.
¿Puedo tener un vaso de vino?
Él volvió a casa tres días más tarde.
Él ayudó a la gente toda su vida.
No sé quién le sé a quién le le pidaba.
Necesito un gran gran más grande para tomar el tolo.
Creo que sé cómo sé cómo Tom se siente.
Pensé que sabía, pero no sabía.
Me voy a ganas a ganas a la escuela.
Me voy a ganas a ganas a la escuela.
Pillé de ser solo en la luna.
Es el momento perfecto para un momento.
Sólo sé, así que soy una cosa.
Vamos a ser feliz de lo que somos juntos.
Ella le aconsejó que ver el dentista.
Ese estudiante es rápido, ¿verdad?
Ese estudiante es rápido, ¿verdad?
Ese estudiante es rápido, ¿verdad?
El amor fue muy siendo muy siendo muy siendo siendo siendo siendo siendo siendo siendo siendo siendo siendo siendo siendo siendo siendo siendo siendo siendo muy estal.
El amor se está a la vida para dar de la comida.
Parece que no debe estar en prisa.
Hay una muerte en una muerte en su familia.
Tom no quería hablar con Mary.
Tom quiere llamar a la pregunta.
Tom quiere llamar a la pregunta.
Dos dólares es mucho mucho tiempo para mí.
Tenemos que comprar el agua de agua.
Tenemos que hacer algo sobre esto.
¿A qué hora es tu año?
Casi todos todos mis vecinos son mis vecinos.
CualCualCualCualCualquierquierquierquierquier sólo sólo sólo.
¿Quieres el resto de mi sándwich?
¿Quieres el resto de mi sándwich?
No te olvides a llamar mañana.
Cí tu cena antes de cenar.
Cí tu cena antes de cenar.
No pude decir que se lo habría hecho mejor.
Me fui al tenis de mi club en el club.
Pasé el día todo el día en la playa.
Mi abuelo tiene nieve en el pelo.
Mi nombre es Tom y yo estoy de Tom.
No no todos los libros son leer leer.
Por favor, el balde con los balos.
Por favor, el balde con los balos.
Por favor, el balde con los balos.
Por favor, el balde con los balos.
Por favor, el balde con los balos.
Por favor, el balde con los balos.
Por favor, el balde con los balos.
Por favor, el balde con los balos.
Ella no sabe cómo saber a la bicicleta.
Ella se comió sus hijos sobre ella.
Ella debe haber olvidado la promesa.
Ella no estaría para un paseo con él.
Eso es muy muy amable de decir eso.
La cabeza es un poco de un resfriado.
La cabeza es un poco de un resfriado.
Tom le enseñó al estorar a la eston.
Tom normalmente normalmente a las cosas.
No sé qué sé qué nos conocimos en contra.
Fuimos a ver a ver a la playa en la playa.
¿Qué compraste por tu novio?
Tienes que tener que tener tu propia propia pregunta.
¿Tienes un momento para volver a Japón?
Él ya ha terminado su tarea.
Él ya ha terminado su tarea.
Él es un poco de impulo que su padre.
Él no miró nada si había pasado.
Él le contó a su hijo interesante.
No me gusta realmente realmente realmente como la estulica.
Tengo algo algo que deberías ver.
Me di cuenta de que él fue mi repura.
Quisiera ir a Australia a Australia.
Voy a ver a ver a Mary esta tarde.
Voy a ver a ver a Mary esta tarde.
¿Hay una ley aquí por la luz?
Por favor, dame dónde compró eso.
Ella tiene que tener muchos amigos.
Ella se enfadó con los niños.
La prueba de un huevo es un huevo esta mañana.
Hoy es mi hermana de mi cumpleaños de cumpleaños.
Tom entró de Mary de la lista de la lista.
Tom se golpeó la muñeca de la muñeca de Mary.
La ropa de Tom está en la ropa.
¿Qué es el tubo de Australia?
¿Quién es la niña de cantar en la estina?
Usted puede poner en su vida en su tiempo.
¿Puedes ayudar este texto?
Él está acerca de terminar de leer el libro.
Le hice todo lo que yo era.
Realmente debería haber dicho algo.
Me pregunto si Tom me enseñaría francés.
¿Es verdad que te compraste una primera vez?
Muchos estadounidenses están interesado en este tipo.
Mary está de su doctor para que le aconsejó.
Puede que llover en la tarde.
Puede que llover en la tarde.
Ella se que se que se se se se se se que la ruido.
Ella te has terminado antes de volver antes.
Tom y yo estaba hablando de ti.
Deberíamos que ir a Boston por tiempo.
No estábamos tan estorando con el estoro.
Los dos padres son mis padres.
Los dos padres son mis padres.
No te hagas nada que no quieres hacer.
No te sentes en la mesa sin la mesa.
Todos tienen que tener una vida mejor mejor mejor mejor mejor.
¿Has oído la vez?
Él tenía la clase de que mostrarme a la forma.
¿Cuántas huevos están en la cocina?
Podría conseguir problemas en problemas si te ayudaré.
Conozco que ese que no tenía nada que hacer nada equivocado.
Me compré de de de los nacos en la discusión.
Le haré a él por mañana.
Le haré a él por mañana.
He estado terminado tres años.
A favor, no hemos tenido mucho mucho mal mal.
La luz de decir, no me siento.
El precio de ese libro es cinco dólares.
Había muchos niños en los niños en la cabeza.
Tom tiene inglés en inglés en Japón.
Tom es el único tipo de que sé de Boston.
Siempre tenemos una fiesta en su fiesta de cumpleaños.
No pudimos salir a la verdad de la lluvia.
Me gustaría dejar mejor que hacer todas todas todas todas todas todas todas todas todas todas todas todas todas todas todas todas todas todas todas todas todas todas todas todas todas las cosas.
Me gustaría dejar mejor que hacer todas todas todas todas todas todas todas todas todas todas todas todas todas todas todas todas todas todas todas todas todas todas todas todas todas las cosas.
Él sabe el piano que puedo tocar mejor que puedo.
Él me explicó que no tenía dinero.
Él tiene una granencia en su país.
Él esperó el ascensor para venir.
Él fue terminado tres tres veces en el año.
Él fue terminado tres tres veces en el año.
Él estaba demasiado trabajando para jugar a jugar.
No me siento ganas de decir la verdad.
Me gusta ver y los deportos.
Me gusta ver y los deportos.
Realmente he hecho de lo mismo.
Estaba en la ducha cuando sonó el teléfono.
Voy a viajar en Europa en Europa la semana pasada.
Ojalá pudiera dormir más tiempo con vos.
Estoy lejos de punto de esto sobre esto.
Lo siento, por favor, por favor?
La oficina no está demasiado lejos de aquí.
La oficina no está demasiado lejos de aquí.
La oficina no está demasiado lejos de aquí.
El asunto está en contra contra contra la muñeca.
Este libro es bastante fácil para leer.
Tom no pudo respirar después de la carrera después de la carrera.
Tom no tiene mucho dinero en el banco.
Tom dijo que él estaba completamente completamente completamente completamente.
A Tom todavía no le gusta mucho nada como Mary.
Tom estaba suerte de que no le mató.
¿Qué dijo a Tom, así que no se lo hizo?
¿Por qué no puedes explicarte lo que puedes hacer?
Puedo hablar chino, pero no puedo leer.
Yo me siento a las reglas.
Leí a alguien que me ayude al piano.
Tengo que hacer lo que Tom me digas.
Es divertido para aprender a los extranjeros.
A favor, la puerta de la puerta están en la campando.
La biblioteca está abierta de las diez años.
Este chico lleva de los lentes de la clase de la clase.
Tom siempre parece estar para ser algo de leer.
Tom no estaba capaz de leer en la luz.
¡Ve un niño, así que él era el niño.
Él se compró muy bien en inglés.
Él no sabe nada sobre eso.
Él no cruzó a su brazo para tomar el libro.
Me gustaría estar muy agradecido si pudieras ayudarme.
He estado esperando esperando a la hora.
He estado esperando esperando a la hora.
Si no estás demasiado ocupado, ¿verdad?
Es mejor mejor para ser loco de la aburrida.
Algunos de los estudiantes estaban tarde para la escuela.
Dile a quién vayas a Boston con vos.
Los hermanos estaban a los dos años.
Hay una buena diferencia.
Este es una casa mejor que el uno.
Tom dejó que no había hecho un error.
¿Hay un libro en el momento?
¿Te gustaría ir a pescar o salir?
¿Te gustaría ir a pescar o salir?
¿Te gustaría ir a pescar o salir?
¿No te hables nada de lo que leer?
¿No te hables nada de lo que leer?
No sé si debería dar si debería llorar o no.
Tengo que llevar en todo.
Tengo el mismo diccionario como tu hermano.
Pasé toda la mañana estudiando inglés en inglés.
Estoy intentando hablar de su hermana en su hermana.
Había un poco de leche en la botella.
Este es una reunión, no es una habitación.
Tom no me dio una oportunidad para hablar con él.
Tom se sacó un cuchillo y Mary.
Estamos de tener un fin de tres fin de semana.
Estamos suerte de Tom para hacer aquí para hacer esto.
Estamos suerte de Tom para hacer aquí para hacer esto.
Un toro está investigación ahora en el futuro.
Aunque no lo voy si voy a llover mañana.
Él se perdió la prueba y se cayó la pared.
Él es muy joven de los jóvenes de Tom.
¿Cómo es tan diferente de lo que soy?
Tengo un montón de dinero en mi vida.
Voy a casa cuando mi madre viene.
Me voy a ganas a ver a tu linitud.
Lo siento, pero estoy siendo siendo siendo siendo este proyecto.
Estoy muy interesado en la clase.
Si quieres este bolígrafo, te voy a dar esto.
Por favor, aben los palabras son palabras.
Ella se visto en un restaurante para ella.
Un montón de personas puede pasar de tiempo para mí.
Eso me hace pesida a decir que se se se se lo parece.
La bat batalla se se se se se se se se se se se se se se se se se se se se comió rápido y se se se se se se se se se se se se se se se se se se se se se se se se se se se se se se se se se se se
Hay la ciudad en los Estados Unidos en Estados Unidos.
Tom y Mary se están mirando por dinero.
Tom es el año de la escuela es de la escuela.
Mañana, voy a estudiar a la biblioteca.
Mañana, voy a estudiar a la biblioteca.
Cuando te llames en Osaka, por favor.
¿Realmente crees que no tenemos que hacer eso?
No me gusta realmente realmente, así que yo no me fuera.
Creo que es hora de que es la ventana.
Voy a quedarse a casa y leer un libro.
Lo siento para tener problemas para hacerlo.
Lo siento para tener problemas para hacerlo.
Si no vas con nosotros con nosotros.
Mi novia es tres años que yo estoy mayor.
Mi novia es tres años que yo estoy mayor.
Ella nunca pensó que su sueños vendrá.
Ella dijo que ellos eran sus amigos de sus amigos.
Ellos vive en la guerra.
Esta carta se pasó a la carta de tu carta.
Tom me pidió que esperara aquí hasta hasta él.
En la bomba de televisión y la luz.
Deberías volver a ver con las preguntas.
Tí a Tom y le lo que Tom se lo lo lo lo lo le lo diré.
La idea, no estoy, así que no estoy en su idea.
Él siempre es una parte o dos veces.
Él se apagó a su valor y su valor.
Él se apagó a su valor y su valor.
Tuve demasiado demasiado para beber y puedo tomar.
Le dije lo que haga, pero no haría.
La gente se puede ser en la compañía.
Ella solía jugar al tenis en la tarde.
Los Estados Unidos se están en Bubados en el agua.
El amor se va a estar abierta para otro mes.
El amor se va a estar abierta para otro mes.
No hay nada helado en el verano.
Aunque ella estaba un niño, ella no era un niño.
¿Cuánto tiempo nos tomaste este libro?
Tengo un perro es un nombre y su nombre de su nombre.
Mary no es mi novia de mi madre.
No no me hizo un consejo, pero me dio dinero.
Los precios están haciendo lo que ellos eran dos años.
Ella se levantó un gran gran salud de dinero en el banco.
Ella le dio una experiencia de su experiencia.
El profesor abrió la caja y se sacó una pelota.
Tom se compartó una habitación con Mary.
¿Qué te gustaría si tuvieras un montón de este tipo?
¿Qué te gustaría si tuvieras un montón de este tipo?
Su pelo se hace el pelo más mayor que su edad.
Estoy estudiando que ser un hablante lengua o no se veas.
Estoy estudiando que ser un hablante lengua o no se veas.
Tengo un montón de trabajo para trabajar por el fin de semana.
Va a ser difícil para salir a él tan temprano.
Mi padre estaba en este árbol que estaba el año.
Mi padre estaba en este árbol que estaba el año.
Los dos hombres están sentados en el banco.
Hay muchos palabras de los palabras de los palabras.
Hay un tiempo de tiempo para hablar y un momento.
Tom no le dijo a decir cómo estaba allí.
A Tom no le gusta ser capaz de ser capaz de que Mary.
A Tom no le gusta ser capaz de ser capaz de que Mary.
Una guerra de los consen de la pelea de la guerra.
Un cuidado de lo que quieres para ser verdad.
¿Has terminado un río como un río?
¿Cuántas veces has terminado esto?
No entiendo lo que todo lo que todo es sobre la gente.
Ojalá debería jugar a tocar esta canción y media.
Lo siento, pero no me siento.
Mi fin de la gente está siendo siendo siendo siendo siendo siendo siendo en la lengua.
Nuestro profesor se puso a matemáticas en una bubta de la bubera.
Hay en 5 de cabeza de cabeza en ese gato.
Este es el hombre que te has visto ayer ayer.
Este historia es bastante suficiente para leer en uno de uno.
Mucha gente puede hablar un idioma de lengua.
No quiero lastimar a Tom, pero no tengo que yo.
No tengo nada nada que comer desde este mañana.
Pí un montón en mi hermana en mi bicicleta cuando me cayó mi bicicleta.
Si pudiera salir, pudiera dejar cada pájaro cada pájaro.
Si te estás con cinco errores, te estás pidiendo.
Es imposible ser imposible como su pie de su pie.
Nuestro primo de la bicicleta de los dos semanas.
Ella siempre dejó que sus hijos quieren hacer lo que quieren.
El dolor de los comentos de ese periódico son muy interesante.
Este es el montón de tiempo que he oído hoy.
Tom le dijo a Mary que había ido a los extrateros.
Tom estaba sentado en su auto.
Un montón de mal mal mal mal tiempo de llover.
Según la medicina de los Estados Unidos, hoy se va a ser hoy.
Los niños se van a sus padres.
La cena he más con un accidente o te hace un accidente.
No puedo decir ya ya ya ya no es eso.
Tengo que ir a compras.
El libro de los estudiantes, el libro tiene un libro.
La opación de los boneseseseseseseseses son un montón de la forma de la forma de la pelea de la forma de la forma de la forma de la forma de un montón de la forma de los bina.
El ladrón solía un coche para dar un auto en el coche.
Ellos se han casados para los niños.
Tom no pudo hacer nada de ello hasta mucho más tarde.
Tienes que ver la solución de los inviones de la comida.
No te preocupes por lo que se vas a ser bien.
Él vino de uno de los estadounidicos más rico en los Unidos.
No puedo tomar el lugar de su lugar como un profesor.
No debería haber dicho las cosas que tengo cosas.
No debería haber dicho las cosas que tengo cosas.
Me pregunto si Tom tiene un trabajo para para trabajar.
Si hubiera tenido más tiempo, me habría escrito más tiempo.
Si dormir para un poco, te siento mucho tiempo.
Tom no le dijo si él estaba planeada o no.
Según la universidad, hoy va a la escuela, hoy.
Los animales son sus empleados para dar sus empleados de treinta años.
Voy a hacer lo que le debo a pagar por el mes.
Estoy realmente realmente realmente realmente realmente con la cara.
No me importa en 187777777777773 fue el agua en el agua de Japón.
Estamos en la segunda revista de la semana de una semana de la semana.
¿Cuándo crees que Tom va a hacer eso?
¿Cuándo crees que Tom va a hacer eso?
Tienes que tomar a las cinco de lo que has hecho.
Él tiene un montón de ver sin sus lentes.
Hablé a Tom y Mary estaba esperando a John.
Muchos personas se sentan con Tom.
Tom no pudo ir a la concierto porque tenía que trabajar al concierto.
Tom habla más de hablar de lo que le habla.
Tom quiere saber por qué no sabes qué no estás trabajando.
¿Por qué no esperes aquí mientras estoy haciendo lo que estoy haciendo?
¿Te te importa a escribir en este papel?
Una caja se desistió en los gucananananananananananananananananananananananananananananananananananananananananeseseseseseseseseseseseseses
Como nuestros dedos, puedo hablar.
Quiero hacer lo que estoy antes de hacer antes de prisión.
Yo he terminado todas todas todas todas las llaves.
El equipo va al equipo y la bubía de los nubos.
Acabo de recordar a Tom después de que te diste a la escuela.
Es difícil un anciano para cambiar de su forma de su forma.
Es una buena buena buena cosa para leer cuando tú es un buen joven.
Sólo dice que quiere tener que morir en la misma misma misma misma misma misma misma misma misma misma misma misma cosa.
Ella se puso la culpa en el sofá de la prueba.
Ella estaba a punto de llamar a él cuando estaba en la puerta.
Los dos políticos nos han visto a la cara.
Hay algo importante importante importante para que quieres.
No tenía nada interesante en televisión, así que me apaí.
Este es el solero más guapa que me he visto.
Tom se olvidó decir lo que Mary había dicho que le dijo.
Tom se quedó en la vida de cómo pudiera tocar la flauta.
A pesar de ir allí, pero quiere ir allí en la tele.
Él tuvo su cabeza porque se llevaba de la cárcel.
Creo que Tom y lo que Tom son más alto de lo quieres.
Voy a que te lo que te lo sé.
Sería mejor si no te pidieras nada si no te gustas con los hombres.
Sería mejor si no te pidieras nada si no te gustas con los hombres.
Mary se se fue una pelea después de la lengua.
Había un poco de agua en la botella de agua en la botella de la botella.
Tom no tiene suficiente suficiente suficiente suficiente dinero para comprar el auto.
Tom esperó un montón de dejar a sus ojos.
Necesitamos a alguien que tiene algunas experiencia en experiencia.
Ayer, una explosión de la pelea de la fábrica.
Un montón de gente está esperando a ver lo que va a ver.
Conozco cómo nadar, pero no me gusta nadar en el río.
Había muchos cosas que Tom quería hacer ese día para hacer ese día.
Había muchos cosas que Tom quería hacer ese día para hacer ese día.
Por qué el tiempo es el solo de solar en el sol.
Es difícil difícil hablar para para hablar comida.
Debes tener un conductor de conducir antes de ti.
Comí la mitad antes de la manzana antes antes de que yo estaba en un tipo de manzana.
Tom se esperaba que ir temprano en la mañana, pero se se se se se se se se se se se se se se se estaba en la mañana.
Tom dijo que quería pasar a Boston en el verano.
¿Cuándo fue la última vez que te has terminado de cenar con tu padre?
Una vez que no es capaz de comer de sí.
Gracias por recordarme a la reunión sobre la reunión.
Gracias por recordarme a la reunión sobre la reunión.
Muchos problemas cuando te han preocupado cuando no te preocupes.
Él diez de las diez tímido para hablar de eso.
No quiero hacer lo que quiero hacer, pero no tengo que hacer.
En el tero, el momento es la lluvia de la misma vez.
¿En qué hora está allí de los árboleseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseseses
El único único único que se tiene que la vida es el que lo hace la vida.
Este es de alguien con alguien con un brazo de espalda.
Estaré de volver en treinta años en treinta minutos.
Me gustaría beber algo de beber en una botella de casa antes de la cerveza antes de la cerveza antes de la fiesta antes de la fiesta antes de que me voy a casa antes de la cerveza antes de ir a casa antes de la fiesta antes de que me voy a casa antes de la cerveza antes de que yo fuera antes de la cerveza antes
Como le voy a ver mañana mañana, así que te puedes ver si quieres un mensaje.
No es hasta hasta que te has perdido de tu salud.
La ciudad en la ciudad del río de la ciudad de la ciudad.
Desafortunadamente, el hotel que te has dicho ese libro.
Mi hermana tiene un poco de su boda desde la noche.
Mi hermana tiene un poco de su boda desde la noche.
Tom se pasó más más más de dinero para el dinero.
Tom no podría ser contento si Mary se fuera fuera con John.
Por qué alguien se supone que está en un problema, ¿verdad.
El millano se desonó a la bina de la bina.
Tom llamó la compañía a la compañía.
Es mejor mejor para tomar a tu trabajo en este trabajo.
Cimate la bación de la prueba, el agua en el agua, el agua no se ha hecho de la sol en el agua, el agua de la ulo de la pelea de la pelea de la pelea de la pelea de sí se ha hecho de la pelea de la bulica, el agua de la bulica, el agua, el agua, el
La forma está en la primera primera primera primera primera primera primera primera primera primera primera primera primera primera primera primera primera primera primera primera primera primera vez, cuando no te veo en la primera primera primera primera primera primera primera primera primera primera vez de la primera vez de la primera primera primera primera primera primera primera primera primera primera primera primera primera primera primera primera primera primera primera vez
Yo solía usar usar un poco de  pero no me ha terminado como un poco se ha hecho como como un poco de sol.
La gente lo que se dijo en la buba de la bocia de la bulia de la bulia de la bulia de la bulia de los consenia.
Lo que me puede estar en ese dinero.
Lo que Tom era el más alto de que no podría ser capaz de ese momento.
Si puedo ir a la universidad en la universidad, puedo aprender dos palabras.
Si los personas se se están de su salud de su salud, se ha terminado de sus bubas.
Ellos dicen que en los Estados Unidos pueden ser verdad, pero no se puede ser verdad.
He oído esa comida que no te has terminado de comer comida.
Un niño, qué no podría haber sido más joven de lo que Tom.
Algunas personas piensa que es difícil para ser un hablante hablante nativo para aprender inglés.
En pesar de ser una foto de la pintura, el amigo para estudiar en el amigo de su amigo de la vida de la vida de la vida de la vida de la vida de la vida de la vida es un problema de la vida de la vida es un montón de la vida de los consentatatatatatatatatatatatatatata de
